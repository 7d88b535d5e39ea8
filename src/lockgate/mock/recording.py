"""The requests the mock received, kept so tests can assert what the upstream saw."""

from __future__ import annotations

from collections import deque
from typing import Any, TypedDict

__all__ = ["RecordedRequest", "RequestLog"]


class RecordedRequest(TypedDict):
    method: str
    path: str
    query: dict[str, str]
    # Lower-case names; credentials are kept as sent, since tests assert on them.
    headers: dict[str, str]
    # The parsed JSON body, or None when there was no body or it was not JSON.
    body: Any


class RequestLog:
    """A bounded log: the oldest entries drop out first."""

    def __init__(self, limit: int) -> None:
        self._entries: deque[RecordedRequest] = deque(maxlen=limit)

    def add(self, entry: RecordedRequest) -> None:
        self._entries.append(entry)

    def snapshot(self) -> list[RecordedRequest]:
        return list(self._entries)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
