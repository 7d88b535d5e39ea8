"""Conformance declarations: Anthropic Messages, direct and on Vertex AI."""

from __future__ import annotations

from typing import Any

from lockgate.mock import MockServer
from tests.providers.conformance.case import (
    BROKEN_STREAM,
    CHAT,
    DROP_PARAMS,
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

_ALL = frozenset(
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
        REASONING,
        USAGE_COST,
        ERRORS,
        BROKEN_STREAM,
        DROP_PARAMS,
    }
)


def _direct(mock: MockServer) -> dict[str, Any]:
    return {"api_base": mock.url, "api_key": "sk-ant-conformance"}


def _vertex(mock: MockServer) -> dict[str, Any]:
    return {
        "api_base": f"{mock.url}/v1/projects/conformance/locations/us-east5",
        "api_key": "ya29.conformance-token",
    }


CASES: tuple[ProviderCase, ...] = (
    ProviderCase(
        name="anthropic",
        model="anthropic/claude-sonnet-4-5",
        connect=_direct,
        capabilities=_ALL,
        unsupported_param=("logit_bias", {"42": 1}),
    ),
    ProviderCase(
        name="vertex_ai-claude",
        model="vertex_ai/claude-sonnet-4-5@20250929",
        connect=_vertex,
        capabilities=_ALL,
        unsupported_param=("seed", 7),
    ),
)
