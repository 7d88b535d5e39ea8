"""Conformance declarations: Azure OpenAI (deployment routes and the v1 routes)."""

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
        USAGE_COST,
        ERRORS,
        BROKEN_STREAM,
        DROP_PARAMS,
        EMBEDDINGS,
    }
)


def _deployments(mock: MockServer) -> dict[str, Any]:
    return {"api_base": mock.url, "api_key": "azure-conformance", "api_version": "2024-10-21"}


def _v1(mock: MockServer) -> dict[str, Any]:
    return {"api_base": mock.url + "/openai/v1", "azure_ad_token": "entra-conformance"}


CASES: tuple[ProviderCase, ...] = (
    ProviderCase(
        name="azure",
        model="azure/gpt-4o-mini",
        connect=_deployments,
        capabilities=_ALL,
        # The mock's mid-stream error is an OpenAI-style error event without a status.
        stream_error=InternalServerError,
        unsupported_param=("web_search_options", {}),
        embedding_model="azure/text-embedding-3-small",
    ),
    ProviderCase(
        name="azure-v1",
        model="azure/gpt-4o-mini",
        connect=_v1,
        capabilities=frozenset({CHAT, STREAM, TOOLS, USAGE_COST, EMBEDDINGS}),
        embedding_model="azure/text-embedding-3-small",
    ),
)
