"""Ollama's native API as provider rows: ``ollama`` and LiteLLM's alias ``ollama_chat``.

No key is needed for a local server; ``OLLAMA_API_KEY`` (Bearer) is for ollama.com.
"""

from __future__ import annotations

from lockgate.providers.openai_params import OPENAI_CHAT_PARAMS
from lockgate.providers.spec import ProviderSpec, Quirks

__all__ = ["OLLAMA_SUPPORTED_PARAMS", "ROWS"]

OLLAMA_SUPPORTED_PARAMS: frozenset[str] = frozenset(
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
        "reasoning_effort",
        "stream_options",
    }
)


def _row(name: str) -> ProviderSpec:
    return ProviderSpec(
        name=name,
        protocol="ollama",
        default_api_base="http://localhost:11434",
        api_key_env=("OLLAMA_API_KEY",),
        api_base_env=("OLLAMA_API_BASE",),
        requires_api_key=False,
        default_hosts=frozenset({"localhost", "ollama.com"}),
        quirks=Quirks(
            unsupported_params=OPENAI_CHAT_PARAMS - OLLAMA_SUPPORTED_PARAMS,
            supports_embeddings=True,
        ),
        docs="Ollama native API: /api/chat (NDJSON stream), /api/embed"
        + (" (alias of ollama)" if name != "ollama" else ""),
    )


ROWS: tuple[ProviderSpec, ...] = (_row("ollama"), _row("ollama_chat"))
