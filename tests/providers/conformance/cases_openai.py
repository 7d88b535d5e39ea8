"""Conformance declarations: OpenAI (the reference protocol)."""

from __future__ import annotations

from typing import Any

from lockgate.errors import InternalServerError
from lockgate.mock import MockServer
from tests.providers.conformance.case import (
    BROKEN_STREAM,
    CHAT,
    EMBEDDINGS,
    ERRORS,
    JSON_MODE,
    MULTI_TURN,
    PARALLEL_TOOLS,
    STREAM,
    STREAMED_TOOL_ARGS,
    SYSTEM,
    TOOLS,
    USAGE_COST,
    VISION,
    ProviderCase,
)


def _connect(mock: MockServer) -> dict[str, Any]:
    return {"api_base": mock.openai_base_url, "api_key": "sk-conformance"}


CASES: tuple[ProviderCase, ...] = (
    ProviderCase(
        name="openai",
        model="openai/gpt-4o-mini",
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
                EMBEDDINGS,
            }
        ),
        # The mock's OpenAI mid-stream error is a server_error event. Not declared:
        # DROP_PARAMS (OpenAI refuses none of its own parameters) and REASONING.
        stream_error=InternalServerError,
        embedding_model="openai/text-embedding-3-small",
    ),
)
