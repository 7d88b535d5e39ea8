"""Streaming figures against the mock: TTFT, gaps between paced chunks, many streams held."""

from __future__ import annotations

import os

from lockgate.bench.bench_config import hold_model_name, paced_model_name
from lockgate.bench.canned import chat_request
from lockgate.bench.processes import RssSample, rss_of_tree
from lockgate.bench.streaming import hold_streams, measure_streams
from lockgate.mock import MockServer

HEADERS = {"Content-Type": "application/json", "Authorization": "Bearer sk-bench"}


async def test_paced_stream_gaps_follow_the_token_rate(mock: MockServer) -> None:
    body = chat_request(paced_model_name(100, 5), stream=True)
    url = mock.openai_base_url + "/chat/completions"
    result = await measure_streams("direct", "paced", url, body, HEADERS, count=2)
    assert result.errors == 0
    assert result.first_error is None
    assert result.chunks_per_stream >= 6  # the role chunk, 5 pieces, the finish chunk
    assert 0 < result.ttft_p50_ms <= result.ttft_p99_ms < 500
    assert 5.0 < result.gap_p50_ms < 60.0  # 10 ms per token, give or take the scheduler


async def test_a_failing_stream_is_counted_with_its_reason(mock: MockServer) -> None:
    body = chat_request("mock-error-503", stream=True)
    url = mock.openai_base_url + "/chat/completions"
    result = await measure_streams("direct", "paced", url, body, HEADERS, count=2)
    assert result.errors == 2
    assert result.first_error is not None and result.first_error.startswith("HTTP 503")


async def test_holds_many_streams_and_samples_memory(mock: MockServer) -> None:
    async def probe() -> RssSample:
        return rss_of_tree(os.getpid())

    body = chat_request(hold_model_name(0.3, tokens=3), stream=True)
    url = mock.openai_base_url + "/chat/completions"
    result = await hold_streams(
        url, body, HEADERS, count=20, hold_s=0.3, probe=probe, settle_s=0.0, later_s=0.0
    )
    assert result.completed == 20
    assert result.errors == 0
    assert result.first_error is None
    assert result.rss_peak.total_mb >= result.rss_before.total_mb > 0
