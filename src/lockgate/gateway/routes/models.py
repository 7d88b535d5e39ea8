"""GET /v1/models and GET /v1/models/{id}: the model groups this gateway serves, as the
calling key may use them. A virtual key restricted to some models (by its own ``models``,
its team's, its organisation's or its user's) sees only those, plus its own ``aliases``
whose target it may use; the master key and unrestricted keys see every group."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lockgate.errors import NotFoundError
from lockgate.gateway.auth import Principal
from lockgate.gateway.exchange import Exchange
from lockgate.gateway.http_response import send_json
from lockgate.keys.model_scope import model_levels
from lockgate.keys.records import KeyRecord

__all__ = ["list_models", "retrieve_model"]

_CREATED = 1_700_000_000  # a fixed timestamp: groups have no creation date of their own


def _entry(name: str) -> dict[str, Any]:
    return {"id": name, "object": "model", "created": _CREATED, "owned_by": "lockgate"}


def _caller_key(exchange: Exchange) -> KeyRecord | None:
    """The calling virtual key's record; None for the master key (and admin keys without a
    store)."""
    principal = exchange.request.principal
    control = exchange.state.control
    if not isinstance(principal, Principal) or not principal.virtual or control is None:
        return None
    return control.cache.key(principal.key_id)


def _usable(exchange: Exchange) -> tuple[Callable[[str], bool], tuple[str, ...]]:
    """Whether the caller may name a model (a key's alias counts as its target), and the
    key's own alias names."""
    principal = exchange.request.principal
    key = _caller_key(exchange)
    control = exchange.state.control
    if key is None or control is None:
        if isinstance(principal, Principal) and principal.virtual:
            return (lambda _name: False), ()  # deleted meanwhile: nothing to show
        return (lambda _name: True), ()
    levels = model_levels(control.cache, key)
    served, aliases = exchange.state.model_names, key.aliases

    def usable(name: str) -> bool:
        target = aliases.get(name, name)
        return target in served and all(access.allows(target) for _, access in levels)

    return usable, tuple(aliases)


async def list_models(exchange: Exchange) -> None:
    usable, aliases = _usable(exchange)
    names = sorted(n for n in {*exchange.state.listed_models, *aliases} if usable(n))
    await send_json(
        exchange.send,
        200,
        {"object": "list", "data": [_entry(n) for n in names]},
        exchange.response_headers(),
    )


async def retrieve_model(exchange: Exchange) -> None:
    model_id = exchange.request.path.removeprefix("/models/")
    usable, aliases = _usable(exchange)
    known = model_id in exchange.state.model_names or model_id in aliases
    if not known or not usable(model_id):
        raise NotFoundError(
            f"The model '{model_id}' does not exist", param="model", code="model_not_found"
        )
    await send_json(exchange.send, 200, _entry(model_id), exchange.response_headers())
