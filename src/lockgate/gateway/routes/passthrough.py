"""OpenAI routes forwarded to a provider that serves them natively: images, audio,
moderations, responses and rerank. Any other provider answers a clear 400."""

from __future__ import annotations

import re

from lockgate.client.raw_stream import RawStream
from lockgate.errors import BadRequestError
from lockgate.gateway.admission import admitted
from lockgate.gateway.exchange import Exchange
from lockgate.gateway.http_response import send_bytes
from lockgate.gateway.routes.chat import openai_error_event, request_body, within_timeout
from lockgate.gateway.routing_table import Handler
from lockgate.gateway.stream_relay import relay_sse

__all__ = ["ENDPOINTS", "handler_for"]

ENDPOINTS: dict[str, str] = {
    "/responses": "responses",
    "/images/generations": "images",
    "/audio/speech": "speech",
    "/audio/transcriptions": "transcriptions",
    "/moderations": "moderations",
    "/rerank": "rerank",
}

_MULTIPART_MODEL = re.compile(rb'name="model"\r\n\r\n([^\r\n]{1,256})\r\n')


def _model_and_stream(exchange: Exchange, content_type: str) -> tuple[str, bool]:
    if content_type.startswith("multipart/form-data"):
        match = _MULTIPART_MODEL.search(exchange.request.body)
        if match is None:
            raise BadRequestError("'model': is required", param="model")
        return match.group(1).decode("utf-8", "replace"), False
    body = request_body(exchange)
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise BadRequestError("'model': is required and must be a non-empty string", param="model")
    return model, body.get("stream") is True


def handler_for(endpoint: str) -> Handler:
    route = ENDPOINTS.get(endpoint, endpoint)

    async def forward(exchange: Exchange) -> None:
        content_type = exchange.request.headers.get("content-type", "application/json")
        requested, stream = _model_and_stream(exchange, content_type)
        exchange.request.model = requested
        async with admitted(exchange, route, {}, requested) as model:
            await _forward(exchange, endpoint, model, content_type, stream=stream)

    return forward


async def _forward(
    exchange: Exchange, endpoint: str, model: str, content_type: str, *, stream: bool
) -> None:
    result = await within_timeout(
        exchange,
        exchange.state.dispatcher.apassthrough(
            model, endpoint, exchange.request.body, content_type, stream=stream
        ),
    )
    if isinstance(result, RawStream):
        await relay_sse(
            exchange,
            result.iter_bytes(),
            on_error=openai_error_event,
            close_upstream=result.aclose,
        )
        return
    exchange.provider_seconds = result.elapsed
    await send_bytes(
        exchange.send,
        result.status,
        result.body,
        exchange.response_headers(),
        content_type=(
            b"content-type",
            result.headers.get("content-type", "application/json").encode("latin-1"),
        ),
    )
