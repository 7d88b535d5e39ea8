"""What crosses the transport boundary: an upstream request, response and time limits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["Timeouts", "UpstreamRequest", "UpstreamResponse"]


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds. ``total`` bounds a whole non-stream call; ``read`` bounds the wait for each
    read, which for a stream is the idle time allowed between two chunks."""

    connect: float = 10.0
    read: float = 600.0
    total: float | None = 600.0

    @classmethod
    def from_total(cls, total: float | None, connect: float = 10.0) -> Timeouts:
        if total is None:
            return cls(connect=connect)
        return cls(connect=min(connect, total), read=total, total=total)


# The request and the response are built once per upstream call and never changed after:
# they are not frozen only because a frozen dataclass costs several times more to build
# (each field is set through object.__setattr__).
@dataclass(slots=True)
class UpstreamRequest:
    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes | None = None
    # Hosts the caller's own configuration allows for this request (an api_base it passed).
    extra_allowed_hosts: frozenset[str] = frozenset()


@dataclass(slots=True)
class UpstreamResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes
    # Seconds from sending the request to having the whole body.
    elapsed: float = 0.0
