"""Gemini batchEmbedContents requests and responses (pure translation)."""

from __future__ import annotations

import base64
import struct
from types import MappingProxyType
from typing import Any

import orjson
import pytest

from lockgate.errors import BadRequestError
from lockgate.providers import PROVIDERS, EmbeddingCall
from lockgate.providers.gemini.adapter import GeminiAdapter
from lockgate.transport import UpstreamResponse
from tests.providers.helpers import body_of, chat_call

ADAPTER = GeminiAdapter()


def call(inputs: Any, **params: Any) -> EmbeddingCall:
    credentials = chat_call("gemini", "x", []).credentials
    return EmbeddingCall(
        PROVIDERS["gemini"], "gemini-embedding-001", inputs, MappingProxyType(params), credentials
    )


def test_batch_request() -> None:
    request = ADAPTER.build_embedding_request(
        call(["a", "b"], dimensions=4, task_type="CLUSTERING")
    )
    assert request.url == (
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:batchEmbedContents"
    )
    assert request.headers["x-goog-api-key"] == "test-key"
    assert body_of(request) == {
        "requests": [
            {
                "model": "models/gemini-embedding-001",
                "content": {"parts": [{"text": t}]},
                "outputDimensionality": 4,
                "taskType": "CLUSTERING",
            }
            for t in ("a", "b")
        ]
    }


def test_response_and_base64_encoding() -> None:
    answer = orjson.dumps({"embeddings": [{"values": [0.5, -0.25]}]})
    result = ADAPTER.parse_embedding_response(call("hello"), UpstreamResponse(200, {}, answer))
    assert result.data[0].embedding == [0.5, -0.25] and result.model == "gemini-embedding-001"
    assert result.usage is not None and result.usage.prompt_tokens >= 1
    encoded = (
        ADAPTER.parse_embedding_response(
            call("hello", encoding_format="base64"), UpstreamResponse(200, {}, answer)
        )
        .data[0]
        .embedding
    )
    assert isinstance(encoded, str)
    assert struct.unpack("<2f", base64.b64decode(encoded)) == (0.5, -0.25)


def test_token_inputs_are_refused() -> None:
    with pytest.raises(BadRequestError, match="text input"):
        ADAPTER.build_embedding_request(call([[1, 2, 3]]))
