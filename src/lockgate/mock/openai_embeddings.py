"""`POST /v1/embeddings`: float lists or base64 float32, `dimensions` honoured (§1.3)."""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from lockgate.mock.embedding_vectors import embedding_base64, embedding_floats, embedding_vector
from lockgate.mock.exchange import Exchange, begin
from lockgate.mock.failures import json_response
from lockgate.mock.openai_dialect import OPENAI, openai_headers
from lockgate.mock.reply import count_prompt_tokens

__all__ = ["default_dimensions", "embeddings"]

_INVALID_INPUT = (
    "'$.input' is invalid. Please check the API reference: "
    "https://platform.openai.com/docs/api-reference."
)


def default_dimensions(model: str) -> int:
    return 3072 if "large" in model else 1536


def _inputs(raw: Any) -> list[tuple[str, int]] | None:
    """(text to hash, token count) per input; None when the input shape is invalid."""
    if isinstance(raw, str):
        return [(raw, count_prompt_tokens(len(raw)))] if raw else None
    if not isinstance(raw, list) or not raw:
        return None
    if all(isinstance(i, int) for i in raw):  # one pre-tokenised input
        return [(",".join(map(str, raw)), len(raw))]
    items: list[tuple[str, int]] = []
    for item in raw:
        if isinstance(item, str) and item:
            items.append((item, count_prompt_tokens(len(item))))
        elif isinstance(item, list) and item and all(isinstance(i, int) for i in item):
            items.append((",".join(map(str, item)), len(item)))
        else:
            return None
    return items


def _validate(body: dict[str, Any]) -> tuple[str, str | None] | None:
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "you must provide a model parameter", None
    if body.get("input") is None:
        return "Missing required parameter: 'input'.", "input"
    if _inputs(body["input"]) is None:
        return _INVALID_INPUT, None
    dimensions = body.get("dimensions")
    if dimensions is not None and (not isinstance(dimensions, int) or dimensions < 1):
        return "Invalid value for 'dimensions': must be a positive integer.", "dimensions"
    return None


async def embeddings(request: web.Request) -> web.StreamResponse:
    exchange = await begin(request, OPENAI, validate=_validate, stream=False)
    if not isinstance(exchange, Exchange):
        return exchange
    body, model = exchange.body, exchange.model
    inputs = _inputs(body.get("input")) or [("", 1)]
    dimensions = body.get("dimensions") or default_dimensions(model)
    as_base64 = body.get("encoding_format") == "base64"
    data: list[dict[str, Any]] = []
    for index, (text, _) in enumerate(inputs):
        vector = embedding_vector(text, dimensions)
        encoded: Any = embedding_base64(vector) if as_base64 else embedding_floats(vector)
        data.append({"object": "embedding", "index": index, "embedding": encoded})
    tokens = sum(count for _, count in inputs)
    if exchange.behaviour.usage is not None:
        tokens = exchange.behaviour.usage[0]
    payload = {
        "object": "list",
        "data": data,
        "model": model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
    headers = openai_headers()
    headers["openai-model"] = model
    return json_response(orjson.dumps(payload, option=orjson.OPT_INDENT_2), 200, headers)
