"""Turning a scripted status or error kind into a concrete failure, and the dialect interface."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from aiohttp import web

from lockgate.mock.behaviour import Behaviour

__all__ = ["Dialect", "Failure", "failure_for", "format_seconds", "json_response"]

# The kind a bare `x-mock-status` stands for; 400 is the context-window error because that
# is the 400 a gateway must recognise (ContextWindowExceededError).
_KIND_BY_STATUS: dict[int, str] = {
    400: "context_length",
    401: "auth",
    403: "permission",
    404: "not_found",
    408: "timeout",
    429: "rate_limit",
    500: "server",
    502: "server",
    503: "unavailable",
    504: "timeout",
    529: "overloaded",
}


@dataclass(frozen=True, slots=True)
class Failure:
    kind: str
    status: int
    retry_after_s: float


def failure_for(behaviour: Behaviour, status_for_kind: Mapping[str, int]) -> Failure | None:
    """The failure `behaviour` scripts, with the provider's status for a bare error kind."""
    status, kind = behaviour.status, behaviour.error
    if status is None and kind is None:
        return None
    if kind is None:
        assert status is not None
        kind = _KIND_BY_STATUS.get(status, "invalid_request" if status < 500 else "server")
    if status is None:
        status = status_for_kind[kind]
    return Failure(kind, status, behaviour.retry_after_s or 0.0)


def format_seconds(seconds: float) -> str:
    """`retry-after` value: whole seconds when whole, else a decimal (the SDKs parse floats)."""
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:.3f}".rstrip("0")


def json_response(body: bytes, status: int, headers: dict[str, str]) -> web.Response:
    return web.Response(body=body, status=status, headers=headers)


class Dialect(Protocol):
    """How one provider authenticates and words its errors."""

    name: str
    status_for_kind: Mapping[str, int]

    def authenticate(self, request: web.Request) -> web.Response | None:
        """None when the request carries credentials the provider's way, else its error."""

    def error_response(self, failure: Failure, model: str, request: web.Request) -> web.Response:
        """The provider's real error body and headers for a scripted failure."""

    def invalid_request(self, message: str, param: str | None = None) -> web.Response:
        """A 400 for a request body the provider would reject."""

    def stream_error(self, failure: Failure, model: str) -> bytes:
        """The provider's in-stream error event, sent after the stream has started."""
