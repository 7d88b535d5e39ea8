"""Conformance declarations: Gemini on Google AI Studio and on Vertex AI."""

from __future__ import annotations

from typing import Any

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
    STREAM,
    SYSTEM,
    TOOLS,
    USAGE_COST,
    VISION,
    ProviderCase,
)

# Not declared: STREAMED_TOOL_ARGS (Gemini sends each function call whole, in one chunk) and
# REASONING (the mock does not produce thought parts; the translation is unit-tested).
_GEMINI = frozenset(
    {
        CHAT,
        SYSTEM,
        MULTI_TURN,
        STREAM,
        TOOLS,
        PARALLEL_TOOLS,
        VISION,
        JSON_MODE,
        USAGE_COST,
        ERRORS,
        BROKEN_STREAM,
        DROP_PARAMS,
        EMBEDDINGS,
    }
)


def _studio(mock: MockServer) -> dict[str, Any]:
    return {"api_base": mock.url, "api_key": "gemini-conformance-key"}


def _vertex(mock: MockServer) -> dict[str, Any]:
    return {
        "api_base": mock.url,
        "api_key": "ya29.conformance-token",
        "vertex_project": "conformance",
        "vertex_location": "europe-west4",
    }


CASES: tuple[ProviderCase, ...] = (
    ProviderCase(
        name="gemini",
        model="gemini/gemini-2.5-flash",
        connect=_studio,
        capabilities=_GEMINI,
        unsupported_param=("logit_bias", {"42": 1}),
        embedding_model="gemini/gemini-embedding-001",
    ),
    ProviderCase(
        name="vertex_ai-gemini",
        model="vertex_ai/gemini-2.5-flash",
        connect=_vertex,
        capabilities=_GEMINI,
        unsupported_param=("logprobs", True),
        embedding_model="vertex_ai/text-embedding-005",
    ),
)
