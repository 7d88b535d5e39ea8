"""The first-run demo: a config whose models answer from the built-in mock provider, plus
real providers whose keys are already in the environment."""

from __future__ import annotations

from collections.abc import Mapping

from lockgate.config import Config, parse_config

__all__ = ["DEMO_REAL_MODELS", "demo_config"]

# Real models added to the demo when their provider's key variable is set.
DEMO_REAL_MODELS: tuple[tuple[str, str, str], ...] = (
    ("gpt-4o-mini", "openai/gpt-4o-mini", "OPENAI_API_KEY"),
    ("groq-llama", "groq/llama-3.1-8b-instant", "GROQ_API_KEY"),
    ("mistral-small", "mistral/mistral-small-latest", "MISTRAL_API_KEY"),
)


def demo_config(mock_url: str, env: Mapping[str, str]) -> Config:
    lines = [
        "model_list:",
        "  - model_name: demo",
        "    litellm_params:",
        "      model: openai/mock-demo",
        f"      api_base: {mock_url}/v1",
        "      api_key: sk-mock",
        "  - model_name: demo-embedding",
        "    litellm_params:",
        "      model: openai/text-embedding-3-small",
        f"      api_base: {mock_url}/v1",
        "      api_key: sk-mock",
    ]
    for name, model, key_env in DEMO_REAL_MODELS:
        if env.get(key_env):
            lines += [
                f"  - model_name: {name}",
                "    litellm_params:",
                f"      model: {model}",
                f"      api_key: os.environ/{key_env}",
            ]
    return parse_config("\n".join(lines) + "\n", source="<demo>", env=env)
