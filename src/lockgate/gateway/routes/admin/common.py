"""What every admin route does: read the JSON body or the query, find the control plane,
answer JSON, and record the action in the audit log."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from lockgate.errors import BadRequestError, LockgateError
from lockgate.gateway.auth import Principal
from lockgate.gateway.control_plane import ControlPlane
from lockgate.gateway.exchange import Exchange
from lockgate.gateway.http_response import send_json

__all__ = [
    "audit",
    "caller",
    "control_of",
    "json_body",
    "query",
    "query_int",
    "respond",
]


class StoreUnavailableError(LockgateError):
    default_status = 503
    default_type = "service_unavailable"


def control_of(exchange: Exchange) -> ControlPlane:
    control = exchange.state.control
    if control is None:
        raise StoreUnavailableError(
            "this gateway runs without a store: virtual keys and spend need one"
        )
    return control


def caller(exchange: Exchange) -> Principal:
    principal = exchange.request.principal
    assert isinstance(principal, Principal)  # every admin route authenticates
    return principal


def json_body(exchange: Exchange) -> dict[str, Any]:
    if not exchange.request.body.strip():
        return {}
    return exchange.request.json_object()


def query(exchange: Exchange) -> dict[str, str]:
    raw = exchange.request.query.decode("latin-1")
    return {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=False).items()}


def query_int(params: dict[str, str], name: str, default: int, *, maximum: int) -> int:
    text = params.get(name)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        raise BadRequestError(f"'{name}' must be an integer", param=name) from None
    if value < 1 or value > maximum:
        raise BadRequestError(f"'{name}' must be between 1 and {maximum}", param=name)
    return value


async def respond(exchange: Exchange, payload: Any, status: int = 200) -> None:
    await send_json(exchange.send, status, payload, {"x-request-id": exchange.request.request_id})


async def audit(
    exchange: Exchange,
    action: str,
    object_type: str,
    object_id: str,
    before: Any = None,
    after: Any = None,
) -> None:
    await control_of(exchange).store.audit(
        actor=caller(exchange).key_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=_jsonable(before),
        after=_jsonable(after),
        request_id=exchange.request.request_id,
    )


def _jsonable(value: Any) -> Any:
    """Audit values as JSON (timestamps as ISO text); digests never reach here."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if k != "digest"}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
