"""Bedrock Runtime routes: ``POST /model/{modelId}/converse``, ``/converse-stream`` and
``/invoke``. The model id is percent-encoded in the path (``anthropic.claude...%3A0``);
inference-profile ids and ARNs work too."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from lockgate.mock.bedrock_converse import converse, converse_stream, validate_converse
from lockgate.mock.bedrock_dialect import BEDROCK
from lockgate.mock.bedrock_invoke import invoke
from lockgate.mock.exchange import Exchange, Validator, begin

__all__ = ["bedrock_routes"]

_Handler = Callable[[Exchange], Awaitable[web.StreamResponse]]


def _route(
    handler: _Handler, validate: Validator | None, stream: bool
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def route(request: web.Request) -> web.StreamResponse:
        exchange = await begin(
            request, BEDROCK, model=request.match_info["model"], validate=validate, stream=stream
        )
        if not isinstance(exchange, Exchange):
            return exchange
        return await handler(exchange)

    return route


def bedrock_routes() -> list[web.RouteDef]:
    return [
        web.post("/model/{model:.+}/converse", _route(converse, validate_converse, False)),
        web.post(
            "/model/{model:.+}/converse-stream", _route(converse_stream, validate_converse, True)
        ),
        web.post("/model/{model:.+}/invoke", _route(invoke, None, False)),
    ]
