"""Cohere (v2 API) as provider rows: ``cohere`` and LiteLLM's alias ``cohere_chat``."""

from __future__ import annotations

from lockgate.providers.openai_params import OPENAI_CHAT_PARAMS
from lockgate.providers.spec import ProviderSpec, Quirks

__all__ = ["COHERE_SUPPORTED_PARAMS", "ROWS"]

COHERE_SUPPORTED_PARAMS: frozenset[str] = frozenset(
    {
        "max_tokens",
        "max_completion_tokens",
        "temperature",
        "top_p",
        "stop",
        "seed",
        "frequency_penalty",
        "presence_penalty",
        "tools",
        "tool_choice",
        "response_format",
        "logprobs",
        "reasoning_effort",
        "stream_options",
    }
)


def _row(name: str) -> ProviderSpec:
    return ProviderSpec(
        name=name,
        protocol="cohere",
        default_api_base="https://api.cohere.com",
        api_key_env=("CO_API_KEY", "COHERE_API_KEY"),
        api_base_env=("COHERE_API_BASE",),
        default_hosts=frozenset({"api.cohere.com", "api.cohere.ai"}),
        quirks=Quirks(
            unsupported_params=OPENAI_CHAT_PARAMS - COHERE_SUPPORTED_PARAMS,
            supports_embeddings=True,
            passthrough_endpoints=frozenset({"/rerank"}),
        ),
        docs="Cohere v2: /v2/chat, /v2/embed, /v2/rerank"
        + (" (alias of cohere)" if name != "cohere" else ""),
    )


ROWS: tuple[ProviderSpec, ...] = (_row("cohere"), _row("cohere_chat"))
