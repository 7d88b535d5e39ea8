"""One request's spend, as the batch writer stores it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

__all__ = ["SpendRecord", "micros", "utc_datetime"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class SpendRecord(NamedTuple):
    """A plain tuple: built once per request on the hot path (a third of what a frozen
    dataclass costs, and two thirds of that again with positional arguments rather than
    keywords), unpacked in one step when the batch is written."""

    request_id: str
    # When the request started: microseconds since the Unix epoch (UTC), a fifth of what a
    # datetime costs to make and then to write; a datetime is taken too (naive: UTC).
    started_at: int | datetime
    route: str
    key_id: str
    user_id: str
    team_id: str
    organization_id: str
    end_user: str
    model: str
    model_group: str
    deployment: str
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int
    spend: float
    latency_ms: float
    status: int
    tags: tuple[str, ...] = ()
    request_body: Any = None
    # Budget windows the spend counts against: (scope, window, nano-USD).
    windows: tuple[tuple[str, int, int], ...] = ()

    @property
    def failed(self) -> bool:
        return self.status >= 400 or self.status == 0


def micros(when: int | datetime) -> int:
    """``when`` in microseconds since the Unix epoch (a naive datetime is taken as UTC)."""
    if not isinstance(when, datetime):
        return when
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - _EPOCH) // _MICROSECOND


def utc_datetime(started_at: int | datetime) -> datetime:
    """A record's start as an aware UTC datetime."""
    if type(started_at) is int:
        return _EPOCH + timedelta(microseconds=started_at)
    assert isinstance(started_at, datetime)
    return started_at if started_at.tzinfo is not None else started_at.replace(tzinfo=UTC)
