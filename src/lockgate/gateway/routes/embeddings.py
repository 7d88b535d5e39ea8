"""POST /v1/embeddings."""

from __future__ import annotations

from lockgate.gateway.admission import admitted
from lockgate.gateway.exchange import Exchange
from lockgate.gateway.routes.chat import request_body, within_timeout
from lockgate.gateway.validation import validate_embedding_body

__all__ = ["embeddings"]


async def embeddings(exchange: Exchange) -> None:
    body = request_body(exchange)
    validate_embedding_body(body)
    exchange.request.model = body["model"]
    async with admitted(exchange, "embeddings", body) as model:
        del body["model"]
        value = body.pop("input")
        result = await within_timeout(
            exchange, exchange.state.dispatcher.aembedding(model, value, **body)
        )
        exchange.note_usage(result.usage, result._hidden_params)
        await exchange.send_answer(200, result.to_json_bytes())
