"""The provider registry: model strings resolve to rows; rows are complete."""

from __future__ import annotations

import pytest

from lockgate.errors import BadRequestError
from lockgate.providers import PROVIDERS, ProviderRegistry

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
}


def test_required_rows_present_and_well_formed() -> None:
    assert REQUIRED_ROWS <= set(PROVIDERS)
    for spec in PROVIDERS.values():
        assert spec.protocol == "openai"
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
