"""The built-in load generator against the mock for about a second."""

from __future__ import annotations

import pytest

from lockgate.bench.canned import chat_request
from lockgate.bench.load_builtin import percentile, run_builtin
from lockgate.mock import MockServer

HEADERS = {"Content-Type": "application/json", "Authorization": "Bearer sk-bench"}


async def test_reports_sensible_numbers_against_the_mock(mock: MockServer) -> None:
    url = mock.openai_base_url + "/chat/completions"
    result = await run_builtin(
        url, chat_request("gpt-4o-mini"), HEADERS, connections=4, duration_s=1.0
    )
    assert result.tool == "builtin"
    assert result.connections == 4
    assert result.errors == 0
    assert 0.9 < result.duration_s < 3.0
    assert result.requests > 50  # the in-process mock answers in well under 20 ms
    assert result.requests_per_s == pytest.approx(result.requests / result.duration_s)
    assert 0 < result.p50_ms <= result.p99_ms < 1000


async def test_counts_error_answers(mock: MockServer) -> None:
    url = mock.openai_base_url + "/chat/completions"
    result = await run_builtin(
        url, chat_request("mock-error-500"), HEADERS, connections=2, duration_s=0.3
    )
    assert result.requests == 0
    assert result.errors > 0


async def test_counts_refused_connections_without_spinning() -> None:
    result = await run_builtin(
        "http://127.0.0.1:9/v1/chat/completions", b"{}", {}, connections=2, duration_s=0.3
    )
    assert result.requests == 0
    assert 0 < result.errors < 200  # each failure waits a little before the next try


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.50) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 1.0) == 100.0
    assert percentile([7.0], 0.99) == 7.0
    assert percentile([], 0.5) == 0.0
