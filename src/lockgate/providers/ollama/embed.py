"""Ollama ``/api/embed``: ``{model, input, dimensions?, truncate?, keep_alive?, options?}`` →
``{model, embeddings: [[...]], prompt_eval_count}``."""

from __future__ import annotations

from typing import Any

import orjson

from lockgate.errors import APIConnectionError, BadRequestError
from lockgate.providers.call import EmbeddingCall
from lockgate.providers.ollama.urls import ollama_headers, ollama_url
from lockgate.transport.messages import UpstreamRequest, UpstreamResponse
from lockgate.types import Embedding, EmbeddingResponse, Usage

__all__ = ["build_ollama_embed_request", "parse_ollama_embed_response"]

_PASS = ("dimensions", "truncate", "keep_alive", "options")


def build_ollama_embed_request(call: EmbeddingCall) -> UpstreamRequest:
    inputs = call.input
    if not isinstance(inputs, str) and not all(isinstance(i, str) for i in inputs):
        raise BadRequestError("Ollama embeddings take text input", param="input")
    body: dict[str, Any] = {"model": call.model, "input": inputs}
    for name in _PASS:
        if name in call.params:
            body[name] = call.params[name]
    return UpstreamRequest(
        "POST",
        ollama_url(call.provider, call.credentials, "embed"),
        ollama_headers(call.credentials),
        orjson.dumps(body),
    )


def parse_ollama_embed_response(
    call: EmbeddingCall, response: UpstreamResponse
) -> EmbeddingResponse:
    try:
        data = orjson.loads(response.body)
    except orjson.JSONDecodeError as exc:
        raise APIConnectionError("Ollama sent a response that is not JSON") from exc
    embeddings = data.get("embeddings") if isinstance(data, dict) else None
    if not isinstance(embeddings, list):
        raise APIConnectionError("Ollama embed response has no embeddings")
    tokens = data.get("prompt_eval_count")
    tokens = tokens if isinstance(tokens, int) else 0
    return EmbeddingResponse(
        data=[Embedding(index=i, embedding=v) for i, v in enumerate(embeddings)],
        model=str(data.get("model") or call.model),
        usage=Usage(prompt_tokens=tokens, total_tokens=tokens),
    )
