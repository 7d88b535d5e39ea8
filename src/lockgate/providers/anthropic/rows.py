"""The ``anthropic`` provider row: where Anthropic's Messages API lives and what it accepts."""

from __future__ import annotations

from lockgate.providers.spec import ProviderSpec, Quirks

__all__ = ["ANTHROPIC_ROW", "ANTHROPIC_UNSUPPORTED_PARAMS"]

# OpenAI parameters the Messages API has no equivalent for. ``n`` is refused only when it
# asks for more than one choice (see AnthropicAdapter.supported_params).
ANTHROPIC_UNSUPPORTED_PARAMS: frozenset[str] = frozenset(
    {
        "audio",
        "frequency_penalty",
        "function_call",
        "functions",
        "logit_bias",
        "logprobs",
        "metadata",
        "modalities",
        "prediction",
        "presence_penalty",
        "prompt_cache_key",
        "safety_identifier",
        "seed",
        "service_tier",
        "store",
        "top_logprobs",
        "verbosity",
        "web_search_options",
    }
)

ANTHROPIC_ROW = ProviderSpec(
    name="anthropic",
    protocol="anthropic",
    default_api_base="https://api.anthropic.com",
    api_key_env=("ANTHROPIC_API_KEY",),
    api_base_env=("ANTHROPIC_API_BASE", "ANTHROPIC_BASE_URL"),
    default_hosts=frozenset({"api.anthropic.com"}),
    quirks=Quirks(unsupported_params=ANTHROPIC_UNSUPPORTED_PARAMS),
    docs=(
        "Anthropic Messages API (x-api-key, anthropic-version 2023-06-01); `n` > 1 refused; "
        "JSON mode through a forced tool; cache_control and thinking blocks passed through"
    ),
)
