"""Cohere ``/v2/embed``: ``{model, texts, input_type, embedding_types: ["float"]}``.

``input_type`` defaults to ``search_document`` (pass ``input_type`` to change it);
``dimensions`` → ``output_dimension``; ``encoding_format="base64"`` is answered with the
float vectors packed as little-endian float32, as OpenAI does. Usage is
``meta.billed_units.input_tokens``.
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Mapping
from typing import Any

import orjson

from lockgate.errors import APIConnectionError, BadRequestError
from lockgate.providers.call import EmbeddingCall
from lockgate.providers.cohere.urls import cohere_headers, cohere_url
from lockgate.transport.messages import UpstreamRequest, UpstreamResponse
from lockgate.types import Embedding, EmbeddingResponse, Usage

__all__ = ["build_cohere_embed_request", "parse_cohere_embed_response"]

_PASS = ("truncate", "max_tokens", "images", "inputs", "priority")


def build_cohere_embed_request(call: EmbeddingCall) -> UpstreamRequest:
    texts = [call.input] if isinstance(call.input, str) else list(call.input)
    if not texts or not all(isinstance(t, str) for t in texts):
        raise BadRequestError("Cohere embeddings take text input", param="input")
    params = call.params
    body: dict[str, Any] = {
        "model": call.model,
        "texts": texts,
        "input_type": params.get("input_type", "search_document"),
        "embedding_types": ["float"],
    }
    if params.get("dimensions") is not None:
        body["output_dimension"] = params["dimensions"]
    for name in _PASS:
        if name in params:
            body[name] = params[name]
    return UpstreamRequest(
        "POST",
        cohere_url(call.provider, call.credentials, "embed"),
        cohere_headers(call.credentials),
        orjson.dumps(body),
    )


def _base64(vector: list[float]) -> str:
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()


def parse_cohere_embed_response(
    call: EmbeddingCall, response: UpstreamResponse
) -> EmbeddingResponse:
    try:
        data = orjson.loads(response.body)
    except orjson.JSONDecodeError as exc:
        raise APIConnectionError("Cohere sent a response that is not JSON") from exc
    embeddings = data.get("embeddings") if isinstance(data, dict) else None
    if isinstance(embeddings, Mapping):
        embeddings = embeddings.get("float")
    if not isinstance(embeddings, list):
        raise APIConnectionError("Cohere embed response has no float embeddings")
    as_base64 = call.params.get("encoding_format") == "base64"
    meta = data.get("meta")
    billed = meta.get("billed_units") if isinstance(meta, Mapping) else None
    tokens = billed.get("input_tokens") if isinstance(billed, Mapping) else None
    tokens = tokens if isinstance(tokens, int) else 0
    return EmbeddingResponse(
        data=[
            Embedding(index=i, embedding=_base64(v) if as_base64 else v)
            for i, v in enumerate(embeddings)
        ],
        model=call.model,
        usage=Usage(prompt_tokens=tokens, total_tokens=tokens),
    )
