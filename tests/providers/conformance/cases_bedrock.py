"""Conformance declarations: AWS Bedrock (Converse, ConverseStream, InvokeModel)."""

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
    # A Bedrock API key (Bearer); SigV4 needs botocore and is tested on its own.
    return {"api_base": mock.url, "api_key": "bedrock-api-key", "aws_region_name": "us-east-1"}


CASES: tuple[ProviderCase, ...] = (
    ProviderCase(
        name="bedrock",
        # A cross-region inference profile id, as most Claude models on Bedrock are called.
        model="bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
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
                REASONING,
                USAGE_COST,
                ERRORS,
                BROKEN_STREAM,
                DROP_PARAMS,
                EMBEDDINGS,
            }
        ),
        # In-stream failures are exception frames: serviceUnavailableException → 503.
        unsupported_param=("logit_bias", {"50256": -100}),
        embedding_model="bedrock/cohere.embed-english-v3",
    ),
)
