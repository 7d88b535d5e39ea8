"""Conformance declarations: Cohere v2."""

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
    STREAMED_TOOL_ARGS,
    SYSTEM,
    TOOLS,
    USAGE_COST,
    VISION,
    ProviderCase,
)


def _connect(mock: MockServer) -> dict[str, Any]:
    return {"api_base": mock.url, "api_key": "co-conformance"}


CASES: tuple[ProviderCase, ...] = (
    ProviderCase(
        name="cohere",
        model="cohere/command-a-03-2025",
        connect=_connect,
        capabilities=frozenset(
            {
                CHAT,
                SYSTEM,
                MULTI_TURN,
                STREAM,
                TOOLS,
                PARALLEL_TOOLS,
                STREAMED_TOOL_ARGS,
                VISION,
                JSON_MODE,
                USAGE_COST,
                ERRORS,
                BROKEN_STREAM,
                DROP_PARAMS,
                EMBEDDINGS,
            }
        ),
        # A failed stream ends with message-end carrying an error: reported as a 500.
        stream_error=InternalServerError,
        unsupported_param=("logit_bias", {"50256": -100}),
        embedding_model="cohere/embed-v4.0",
    ),
    ProviderCase(
        # The alias row, with a reasoning model (thinking content parts).
        name="cohere_chat",
        model="cohere_chat/command-a-reasoning-08-2025",
        connect=_connect,
        capabilities=frozenset({CHAT, STREAM, REASONING}),
    ),
)
