"""OpenAI embeddings and legacy text completions (request and response)."""

from __future__ import annotations

from typing import Any

import orjson

from lockgate.errors import APIConnectionError
from lockgate.providers.call import EmbeddingCall, TextCompletionCall
from lockgate.providers.openai.chat import openai_headers, url_for
from lockgate.transport.messages import UpstreamRequest, UpstreamResponse
from lockgate.types import EmbeddingResponse, TextCompletion

__all__ = [
    "build_openai_embedding_request",
    "build_openai_text_completion_request",
    "parse_openai_embedding_response",
    "parse_openai_text_completion_response",
]


def _json_object(response: UpstreamResponse) -> dict[str, Any]:
    try:
        data = orjson.loads(response.body)
    except orjson.JSONDecodeError as exc:
        raise APIConnectionError("upstream sent a response that is not JSON") from exc
    if not isinstance(data, dict):
        raise APIConnectionError("upstream sent a response that is not a JSON object")
    return data


def build_openai_embedding_request(call: EmbeddingCall) -> UpstreamRequest:
    body: dict[str, Any] = {"model": call.model, "input": call.input, **call.params}
    return UpstreamRequest(
        "POST",
        url_for(call.provider, call.credentials, "/embeddings"),
        openai_headers(call.credentials),
        orjson.dumps(body),
    )


def parse_openai_embedding_response(
    call: EmbeddingCall, response: UpstreamResponse
) -> EmbeddingResponse:
    data = _json_object(response)
    if not isinstance(data.get("data"), list):
        raise APIConnectionError("upstream embedding response has no data")
    return EmbeddingResponse.from_dict(data)


def build_openai_text_completion_request(call: TextCompletionCall) -> UpstreamRequest:
    body: dict[str, Any] = {"model": call.model, "prompt": call.prompt, **call.params}
    return UpstreamRequest(
        "POST",
        url_for(call.provider, call.credentials, "/completions"),
        openai_headers(call.credentials),
        orjson.dumps(body),
    )


def parse_openai_text_completion_response(
    call: TextCompletionCall, response: UpstreamResponse
) -> TextCompletion:
    data = _json_object(response)
    if not isinstance(data.get("choices"), list):
        raise APIConnectionError("upstream completion response has no choices")
    return TextCompletion.from_dict(data)
