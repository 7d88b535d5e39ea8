"""GET /v1/models and GET /v1/models/{id}: the model groups this gateway serves."""

from __future__ import annotations

from typing import Any

from lockgate.errors import NotFoundError
from lockgate.gateway.exchange import Exchange
from lockgate.gateway.http_response import send_json

__all__ = ["list_models", "retrieve_model"]

_CREATED = 1_700_000_000  # a fixed timestamp: groups have no creation date of their own


def _entry(name: str) -> dict[str, Any]:
    return {"id": name, "object": "model", "created": _CREATED, "owned_by": "lockgate"}


async def list_models(exchange: Exchange) -> None:
    names = exchange.state.listed_models
    await send_json(
        exchange.send,
        200,
        {"object": "list", "data": [_entry(n) for n in names]},
        exchange.response_headers(),
    )


async def retrieve_model(exchange: Exchange) -> None:
    model_id = exchange.request.path.removeprefix("/models/")
    if model_id not in exchange.state.model_names:
        raise NotFoundError(
            f"The model '{model_id}' does not exist", param="model", code="model_not_found"
        )
    await send_json(exchange.send, 200, _entry(model_id), exchange.response_headers())
