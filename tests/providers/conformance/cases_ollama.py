"""Conformance declarations: Ollama's native API (NDJSON streams)."""

from __future__ import annotations

from typing import Any

from lockgate.errors import InternalServerError
from lockgate.mock import MockServer
from tests.providers.conformance.case import (
    BROKEN_STREAM,
    CHAT,
    DROP_PARAMS,
    EMBEDDINGS,
    ERRORS,
    JSON_MODE,
    MULTI_TURN,
    PARALLEL_TOOLS,
    REASONING,
    STREAM,
    SYSTEM,
    TOOLS,
    VISION,
    ProviderCase,
)


def _connect(mock: MockServer) -> dict[str, Any]:
    return {"api_base": mock.url}  # a local Ollama takes no key


CASES: tuple[ProviderCase, ...] = (
    ProviderCase(
        name="ollama",
        model="ollama/llama3.2",
        connect=_connect,
        # Not declared: STREAMED_TOOL_ARGS (Ollama sends a tool call whole, in one line) and
        # USAGE_COST (local models have no price).
        capabilities=frozenset(
            {
                CHAT,
                SYSTEM,
                MULTI_TURN,
                STREAM,
                TOOLS,
                PARALLEL_TOOLS,
                VISION,
                JSON_MODE,
                REASONING,
                ERRORS,
                BROKEN_STREAM,
                DROP_PARAMS,
                EMBEDDINGS,
            }
        ),
        # A failed stream ends with an {"error": ...} line under HTTP 200: reported as a 500.
        stream_error=InternalServerError,
        unsupported_param=("logprobs", True),
        embedding_model="ollama/all-minilm",
    ),
    ProviderCase(
        name="ollama_chat",
        model="ollama_chat/llama3.2",
        connect=_connect,
        capabilities=frozenset({CHAT, STREAM}),
    ),
)
