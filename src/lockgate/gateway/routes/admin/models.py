"""``/model/info``: the deployments, credentials redacted (any caller; a key restricted to
some models sees only those)."""

from __future__ import annotations

from typing import Any

from lockgate.gateway.exchange import Exchange
from lockgate.gateway.routes.admin.common import caller, respond

__all__ = ["model_info"]


async def model_info(exchange: Exchange) -> None:
    principal = caller(exchange)
    state = exchange.state
    deployments: list[dict[str, Any]] = list(state.config.to_redacted_dict()["model_list"])  # type: ignore[call-overload]
    control = state.control
    key = control.cache.key(principal.key_id) if control is not None and principal.virtual else None
    if key is not None:
        deployments = [d for d in deployments if key.models.allows(str(d["model_name"]))]
    await respond(exchange, {"data": deployments})
