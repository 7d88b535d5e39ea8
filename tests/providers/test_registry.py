"""The provider registry: model strings resolve to rows; rows are complete."""

from __future__ import annotations

import pytest

from lockgate.errors import BadRequestError
from lockgate.providers import ADAPTERS, PROVIDERS, ProviderRegistry

REQUIRED_ROWS = {
    "openai",
    "groq",
    "together_ai",
    "fireworks_ai",
    "deepseek",
    "xai",
    "openrouter",
    "perplexity",
    "mistral",
    "cerebras",
    "deepinfra",
    "nvidia_nim",
    "sambanova",
    "hosted_vllm",
    "lm_studio",
    "llamafile",
    "openai_compatible",
    "anthropic",
    "gemini",
    "vertex_ai",
}


def test_required_rows_present_and_well_formed() -> None:
    assert set(PROVIDERS) >= REQUIRED_ROWS
    for spec in PROVIDERS.values():
        assert spec.protocol in ADAPTERS, f"{spec.name}: no adapter for {spec.protocol!r}"
        assert spec.api_key_env, spec.name
        if spec.default_api_base:
            assert spec.default_api_base.startswith(("https://", "http://localhost", "http://127."))
            assert spec.default_hosts, spec.name
        else:
            assert spec.api_base_env, f"{spec.name} needs an api_base variable"


@pytest.mark.parametrize(
    ("model", "provider", "upstream"),
    [
        ("groq/llama-3.1-8b-instant", "groq", "llama-3.1-8b-instant"),
        ("openrouter/anthropic/claude-3.5-sonnet", "openrouter", "anthropic/claude-3.5-sonnet"),
        ("gpt-4o-mini", "openai", "gpt-4o-mini"),
        ("openai/gpt-4o", "openai", "gpt-4o"),
        ("mistral-large-latest", "mistral", "mistral-large-latest"),
        ("claude-sonnet-4-5", "anthropic", "claude-sonnet-4-5"),
        ("gemini/gemini-2.5-flash", "gemini", "gemini-2.5-flash"),
        ("vertex_ai/claude-sonnet-4-5@20250929", "vertex_ai", "claude-sonnet-4-5@20250929"),
    ],
)
def test_split_model(model: str, provider: str, upstream: str) -> None:
    spec, name = ProviderRegistry().split_model(model)
    assert (spec.name, name) == (provider, upstream)


def test_unknown_provider_is_a_clear_400() -> None:
    with pytest.raises(BadRequestError, match="cannot tell the provider"):
        ProviderRegistry().split_model("nosuch/model-x")
    with pytest.raises(BadRequestError, match="model is required"):
        ProviderRegistry().split_model("")
