"""One request's spend, as the batch writer stores it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

__all__ = ["SpendRecord"]


class SpendRecord(NamedTuple):
    """A plain tuple: built once per request on the hot path (a third of what a frozen
    dataclass costs), unpacked in one step when the batch is written."""

    request_id: str
    started_at: datetime
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
