from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lockgate.limits.windows import LIFETIME, budget_window, duration_seconds


def ts(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()  # type: ignore[misc]


def test_daily_windows_reset_at_midnight_utc() -> None:
    one, left = budget_window("1d", ts(2025, 3, 4, 23, 0))
    two, _ = budget_window("1d", ts(2025, 3, 5, 0, 0, 1))
    assert two == one + 1 and left == pytest.approx(3600)


def test_monthly_windows_follow_the_calendar() -> None:
    jan, left = budget_window("1mo", ts(2025, 1, 31, 12))
    feb, _ = budget_window("1mo", ts(2025, 2, 1))
    assert feb == jan + 1 and left == pytest.approx(12 * 3600)
    q1, _ = budget_window("3mo", ts(2025, 1, 5))
    q1_end, _ = budget_window("3mo", ts(2025, 3, 31))
    assert q1 == q1_end


def test_lifetime_and_invalid() -> None:
    assert budget_window(None, 0.0) == (LIFETIME, float("inf"))
    assert duration_seconds("30d") == 30 * 86400
    with pytest.raises(ValueError):
        budget_window("10 days", 0.0)
