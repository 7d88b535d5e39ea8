"""Budget windows: which reset period a moment falls in.

A budget with ``budget_duration`` resets at fixed UTC boundaries shared by every instance:
``Ns``/``Nm``/``Nh``/``Nd``/``Nw`` windows are multiples of that length since the Unix epoch
(``1d`` resets at 00:00 UTC), ``Nmo`` windows are groups of N calendar months (``1mo``
resets on the 1st at 00:00 UTC). A budget without a duration never resets (window 0).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Final

__all__ = ["LIFETIME", "budget_window", "budget_window_end", "duration_seconds", "minute_of"]

LIFETIME: Final = 0
_DURATION: Final = re.compile(r"([1-9][0-9]*)(s|m|h|d|w|mo)")
_SECONDS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def _parse(duration: str) -> tuple[int, str]:
    match = _DURATION.fullmatch(duration.strip())
    if match is None:
        raise ValueError(f"expected a duration such as 30s, 12h, 30d or 1mo, got {duration!r}")
    return int(match.group(1)), match.group(2)


def duration_seconds(duration: str) -> float:
    """Approximate length (a month is 30 days); validates the text."""
    count, unit = _parse(duration)
    return float(count * (_SECONDS[unit] if unit != "mo" else 30 * 86400))


def budget_window(duration: str | None, now: float) -> tuple[int, float]:
    """(window id, seconds until the window ends); (0, inf) for a lifetime budget."""
    window, end = budget_window_end(duration, now)
    return window, end - now


def budget_window_end(duration: str | None, now: float) -> tuple[int, float]:
    """(window id, the moment it ends in epoch seconds); (0, inf) for a lifetime budget."""
    if not duration:
        return LIFETIME, float("inf")
    count, unit = _parse(duration)
    if unit != "mo":
        size = count * _SECONDS[unit]
        window = int(now // size)
        return window + 1, float((window + 1) * size)  # +1: never 0 (that is LIFETIME)
    moment = datetime.fromtimestamp(now, UTC)
    months = (moment.year - 1970) * 12 + moment.month - 1
    window = months // count
    end_months = (window + 1) * count
    end = datetime(1970 + end_months // 12, end_months % 12 + 1, 1, tzinfo=UTC)
    return window + 1, end.timestamp()


def minute_of(now: float) -> int:
    return int(now // 60)
