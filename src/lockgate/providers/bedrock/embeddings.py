"""Bedrock embeddings through InvokeModel: Amazon Titan and Cohere Embed.

* Titan (``amazon.titan-embed-text-v1``/``-v2:0``, ``amazon.titan-embed-image-v1``): body
  ``{"inputText", "dimensions"?, "normalize"?}``, one text per request (Titan takes no
  batch; more than one input is refused rather than silently sent as several calls);
  answer ``{"embedding": [...], "inputTextTokenCount": N}``.
* Cohere (``cohere.embed-*``): body ``{"texts", "input_type", "truncate"?,
  "embedding_types"?, "output_dimension"?}``; answer ``{"embeddings": [[...]]}`` or
  ``{"embeddings": {"float": [[...]]}}``; token count in the
  ``x-amzn-bedrock-input-token-count`` header.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from lockgate.errors import APIConnectionError, BadRequestError
from lockgate.providers.bedrock.errors import header
from lockgate.providers.bedrock.request import bedrock_model_id, bedrock_request, model_url
from lockgate.providers.call import EmbeddingCall
from lockgate.transport.messages import UpstreamRequest, UpstreamResponse
from lockgate.types import Embedding, EmbeddingResponse, Usage

__all__ = ["build_bedrock_embedding_request", "parse_bedrock_embedding_response"]

_COHERE_PASS = ("truncate", "embedding_types", "images")


def _texts(call: EmbeddingCall) -> list[str]:
    inputs = [call.input] if isinstance(call.input, str) else list(call.input)
    if not inputs or not all(isinstance(i, str) for i in inputs):
        raise BadRequestError("Bedrock embeddings take text input", param="input")
    return [i for i in inputs if isinstance(i, str)]


def _is_cohere(model: str) -> bool:
    return "cohere." in model


def _body(call: EmbeddingCall, model: str) -> dict[str, Any]:
    texts = _texts(call)
    params = call.params
    if _is_cohere(model):
        body: dict[str, Any] = {
            "texts": texts,
            "input_type": params.get("input_type", "search_document"),
        }
        for name in _COHERE_PASS:
            if name in params:
                body[name] = params[name]
        if params.get("dimensions") is not None:
            body["output_dimension"] = params["dimensions"]
        return body
    if "titan-embed" in model:
        if len(texts) != 1:
            raise BadRequestError(
                "Amazon Titan embeddings take one input per request", param="input"
            )
        body = {"inputText": texts[0]}
        if params.get("dimensions") is not None:
            body["dimensions"] = params["dimensions"]
        if "normalize" in params:
            body["normalize"] = params["normalize"]
        return body
    raise BadRequestError(
        f"Bedrock embeddings are supported for Titan and Cohere models, not {model!r}",
        param="model",
    )


def build_bedrock_embedding_request(call: EmbeddingCall) -> UpstreamRequest:
    model = bedrock_model_id(call.model)
    body = orjson.dumps(_body(call, model))
    url = model_url(call.provider, call.credentials, model, "invoke")
    return bedrock_request(call.credentials, url, body, "application/json")


def _vectors(data: Mapping[str, Any]) -> list[Any]:
    if isinstance(data.get("embedding"), list):  # Titan
        return [data["embedding"]]
    embeddings = data.get("embeddings")
    if isinstance(embeddings, Mapping):  # Cohere with embedding_types
        embeddings = embeddings.get("float") or next(iter(embeddings.values()), None)
    if isinstance(embeddings, list):
        return embeddings
    raise APIConnectionError("Bedrock embedding response has no embeddings")


def parse_bedrock_embedding_response(
    call: EmbeddingCall, response: UpstreamResponse
) -> EmbeddingResponse:
    try:
        data = orjson.loads(response.body)
    except orjson.JSONDecodeError as exc:
        raise APIConnectionError("Bedrock sent a response that is not JSON") from exc
    if not isinstance(data, dict):
        raise APIConnectionError("Bedrock sent a response that is not a JSON object")
    vectors = _vectors(data)
    tokens = data.get("inputTextTokenCount")
    if not isinstance(tokens, int):
        raw = header(response.headers, "x-amzn-bedrock-input-token-count")
        tokens = int(raw) if raw and raw.isdigit() else 0
    return EmbeddingResponse(
        data=[Embedding(index=i, embedding=v) for i, v in enumerate(vectors)],
        model=bedrock_model_id(call.model),
        usage=Usage(prompt_tokens=tokens, total_tokens=tokens),
    )
