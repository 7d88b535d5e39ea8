"""Gemini `:embedContent` and `:batchEmbedContents`: deterministic vectors from the text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from aiohttp import web

from lockgate.mock.embedding_vectors import embedding_floats, embedding_vector
from lockgate.mock.exchange import Exchange
from lockgate.mock.failures import json_response
from lockgate.mock.gemini_dialect import gemini_headers

__all__ = ["batch_embed_contents", "embed_content", "validate_batch", "validate_embed"]


def _default_dimensions(model: str) -> int:
    return 3072 if "gemini-embedding" in model else 768


def _text(request: Mapping[str, Any]) -> str:
    content = request.get("content")
    parts = content.get("parts") if isinstance(content, dict) else None
    if not isinstance(parts, list):
        return ""
    return "".join(str(p.get("text", "")) for p in parts if isinstance(p, dict))


def _values(request: Mapping[str, Any], model: str) -> dict[str, list[float]]:
    dimensions = request.get("outputDimensionality")
    if not isinstance(dimensions, int) or dimensions < 1:
        dimensions = _default_dimensions(model)
    return {"values": embedding_floats(embedding_vector(_text(request), dimensions))}


def validate_embed(body: dict[str, Any]) -> tuple[str, str | None] | None:
    if not isinstance(body.get("content"), dict):
        return "* EmbedContentRequest.content: content is not specified\n", None
    return None


def validate_batch(body: dict[str, Any]) -> tuple[str, str | None] | None:
    requests = body.get("requests")
    if not isinstance(requests, list) or not requests:
        return "* BatchEmbedContentsRequest.requests: requests is not specified\n", None
    if not all(isinstance(r, dict) and isinstance(r.get("content"), dict) for r in requests):
        return "* BatchEmbedContentsRequest.requests[0].content: content is not specified\n", None
    return None


def _pretty(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n"


async def embed_content(exchange: Exchange) -> web.StreamResponse:
    body = {"embedding": _values(exchange.body, exchange.model)}
    return json_response(_pretty(body), 200, gemini_headers())


async def batch_embed_contents(exchange: Exchange) -> web.StreamResponse:
    embeddings = [_values(r, exchange.model) for r in exchange.body["requests"]]
    return json_response(_pretty({"embeddings": embeddings}), 200, gemini_headers())
