"""`GET /v1/models[/{id}]`, answered in OpenAI's or Anthropic's format by the caller's headers.

Both providers serve the same path; an `x-api-key` or `anthropic-version` header marks an
Anthropic SDK. Listing never consumes a queued script entry (health checks call it).
"""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from lockgate.mock.anthropic_dialect import ANTHROPIC, anthropic_headers
from lockgate.mock.exchange import Exchange, begin
from lockgate.mock.failures import Dialect, json_response
from lockgate.mock.openai_dialect import OPENAI, openai_headers
from lockgate.mock.state import STATE_KEY

__all__ = ["list_models", "retrieve_model"]

_CREATED = 1_700_000_000
_ANTHROPIC_CREATED_AT = "2025-09-29T00:00:00Z"


def _is_anthropic(request: web.Request) -> bool:
    headers = request.headers
    return "x-api-key" in headers or "anthropic-version" in headers


def _openai_model(model_id: str) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": _CREATED, "owned_by": "system"}


def _anthropic_model(model_id: str) -> dict[str, Any]:
    return {
        "type": "model",
        "id": model_id,
        "display_name": model_id,
        "created_at": _ANTHROPIC_CREATED_AT,
    }


async def _begin(request: web.Request, dialect: Dialect, model: str) -> Exchange | web.Response:
    return await begin(
        request, dialect, model=model, stream=False, consume_script=False, has_body=False
    )


async def list_models(request: web.Request) -> web.StreamResponse:
    anthropic = _is_anthropic(request)
    exchange = await _begin(request, ANTHROPIC if anthropic else OPENAI, "")
    if not isinstance(exchange, Exchange):
        return exchange
    models = request.app[STATE_KEY].settings.models
    if anthropic:
        claude = [m for m in models if m.startswith("claude")]
        body: dict[str, Any] = {
            "data": [_anthropic_model(m) for m in claude],
            "has_more": False,
            "first_id": claude[0] if claude else None,
            "last_id": claude[-1] if claude else None,
        }
        return json_response(orjson.dumps(body), 200, anthropic_headers())
    body = {"object": "list", "data": [_openai_model(m) for m in models]}
    return json_response(orjson.dumps(body, option=orjson.OPT_INDENT_2), 200, openai_headers())


async def retrieve_model(request: web.Request) -> web.StreamResponse:
    model_id = request.match_info["model"]
    anthropic = _is_anthropic(request)
    exchange = await _begin(request, ANTHROPIC if anthropic else OPENAI, model_id)
    if not isinstance(exchange, Exchange):
        return exchange
    # Any name is a model here, like everywhere in the mock.
    if anthropic:
        return json_response(orjson.dumps(_anthropic_model(model_id)), 200, anthropic_headers())
    body = orjson.dumps(_openai_model(model_id), option=orjson.OPT_INDENT_2)
    return json_response(body, 200, openai_headers())
