"""Gemini's `models/{model}:{method}` dispatch, `:countTokens` and the model listing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from aiohttp import web

from lockgate.mock.exchange import Exchange, Validator, begin
from lockgate.mock.failures import json_response
from lockgate.mock.gemini_dialect import GEMINI, gemini_headers
from lockgate.mock.gemini_embed import (
    batch_embed_contents,
    embed_content,
    validate_batch,
    validate_embed,
)
from lockgate.mock.gemini_generate import (
    contents_prompt,
    generate_content,
    stream_generate_content,
    validate_contents,
)
from lockgate.mock.reply import count_prompt_tokens
from lockgate.mock.state import STATE_KEY

__all__ = ["gemini_get_model", "gemini_list_models", "gemini_model_method"]

Handler = Callable[[Exchange], Awaitable[web.StreamResponse]]


async def _count_tokens(exchange: Exchange) -> web.StreamResponse:
    body = exchange.body
    nested = body.get("generateContentRequest")
    prompt = contents_prompt(nested if isinstance(nested, dict) else body)
    tokens = count_prompt_tokens(prompt.prompt_chars)
    if exchange.behaviour.usage is not None:
        tokens = exchange.behaviour.usage[0]
    payload = {
        "totalTokens": tokens,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": tokens}],
    }
    return json_response(
        orjson.dumps(payload, option=orjson.OPT_INDENT_2) + b"\n", 200, gemini_headers()
    )


def _validate_count(body: dict[str, Any]) -> tuple[str, str | None] | None:
    nested = body.get("generateContentRequest")
    return validate_contents(nested if isinstance(nested, dict) else body)


# method -> (handler, validator, streams, consumes a queued script entry)
_METHODS: dict[str, tuple[Handler, Validator, bool, bool]] = {
    "generateContent": (generate_content, validate_contents, False, True),
    "streamGenerateContent": (stream_generate_content, validate_contents, True, True),
    "embedContent": (embed_content, validate_embed, False, True),
    "batchEmbedContents": (batch_embed_contents, validate_batch, False, True),
    "countTokens": (_count_tokens, _validate_count, False, False),
}


async def gemini_model_method(request: web.Request) -> web.StreamResponse:
    model, _, method = request.match_info["model"].rpartition(":")
    entry = _METHODS.get(method)
    if not model or entry is None:
        message = f"Method not found: {method or request.match_info['model']}"
        return json_response(
            orjson.dumps({"error": {"code": 404, "message": message, "status": "NOT_FOUND"}}),
            404,
            gemini_headers(),
        )
    handler, validate, streams, consume = entry
    exchange = await begin(
        request, GEMINI, model=model, validate=validate, stream=streams, consume_script=consume
    )
    if not isinstance(exchange, Exchange):
        return exchange
    return await handler(exchange)


def _model(name: str) -> dict[str, Any]:
    embedding = "embedding" in name
    methods = (
        ["embedContent", "batchEmbedContents"]
        if embedding
        else [
            "generateContent",
            "streamGenerateContent",
            "countTokens",
        ]
    )
    return {
        "name": f"models/{name}",
        "version": "001",
        "displayName": name,
        "inputTokenLimit": 2048 if embedding else 1048576,
        "outputTokenLimit": 1 if embedding else 65536,
        "supportedGenerationMethods": methods,
    }


async def gemini_list_models(request: web.Request) -> web.StreamResponse:
    exchange = await begin(
        request, GEMINI, model="", stream=False, consume_script=False, has_body=False
    )
    if not isinstance(exchange, Exchange):
        return exchange
    names = [m for m in request.app[STATE_KEY].settings.models if m.startswith("gemini")]
    body = orjson.dumps({"models": [_model(m) for m in names]}, option=orjson.OPT_INDENT_2)
    return json_response(body + b"\n", 200, gemini_headers())


async def gemini_get_model(request: web.Request) -> web.StreamResponse:
    name = request.match_info["model"]
    exchange = await begin(
        request, GEMINI, model=name, stream=False, consume_script=False, has_body=False
    )
    if not isinstance(exchange, Exchange):
        return exchange
    body = orjson.dumps(_model(name), option=orjson.OPT_INDENT_2)
    return json_response(body + b"\n", 200, gemini_headers())
