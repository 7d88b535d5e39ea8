"""Configs the benchmark generates, wrk's script and output, processes, and the CLI hook."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
import pytest
import yaml

from lockgate.bench.bench_config import BenchUpstreams, hold_model_name, render_config
from lockgate.bench.canned import CHAT_COMPLETION, CHAT_STREAM
from lockgate.bench.load_wrk import parse_wrk_output, wrk_script
from lockgate.bench.machine import describe_machine, python_speed_ms
from lockgate.bench.processes import BenchProcessError, ManagedProcess, rss_of_tree
from lockgate.bench.upstream_nginx import nginx_config
from lockgate.cli.main import build_parser
from lockgate.config import parse_config


def _upstreams() -> BenchUpstreams:
    return BenchUpstreams(
        chat_base="http://127.0.0.1:8080/v1",
        fast_stream_base="http://127.0.0.1:8080/stream/v1",
        fast_stream_model="gpt-4o-mini",
        mock_base="http://127.0.0.1:8081/v1",
        paced_model="mock-tps-200-tokens-20",
        hold_model=hold_model_name(10.0),
    )


def test_the_generated_config_is_a_litellm_config_lockgate_accepts() -> None:
    text = render_config(_upstreams())
    data = yaml.safe_load(text)
    assert data["general_settings"] == {"master_key": "sk-bench-master"}
    groups = {m["model_name"]: m["litellm_params"] for m in data["model_list"]}
    assert groups["bench-model"] == {
        "model": "openai/gpt-4o-mini",
        "api_base": "http://127.0.0.1:8080/v1",
        "api_key": "sk-bench",
    }
    assert groups["bench-hold"]["model"] == "openai/mock-tps-2-tokens-20"
    config = parse_config(text, source="<bench>", env={})
    assert {d.model_name for d in config.model_list} == set(groups)


def test_canned_replies_are_valid_openai_bodies() -> None:
    completion = orjson.loads(CHAT_COMPLETION)
    assert completion["choices"][0]["message"]["content"]
    events = [e for e in CHAT_STREAM.decode().split("\n\n") if e]
    assert events[-1] == "data: [DONE]"
    assert all(e.startswith("data: ") for e in events)
    for event in events[:-1]:
        assert orjson.loads(event[6:])["object"] == "chat.completion.chunk"


def test_nginx_config_keeps_everything_in_its_folder(tmp_path: Path) -> None:
    text = nginx_config(tmp_path, 8080)
    assert "daemon off;" in text
    assert "worker_processes 1;" in text
    assert "access_log off;" in text
    assert "listen 127.0.0.1:8080" in text
    assert f"pid {tmp_path}/nginx.pid;" in text
    assert "/var/" not in text


def test_wrk_script_posts_the_body_with_the_headers() -> None:
    script = wrk_script(b'{"model":"m"}', {"Authorization": "Bearer k"})
    assert 'wrk.method = "POST"' in script
    assert 'wrk.body = [=[{"model":"m"}]=]' in script
    assert "wrk.headers[ [=[Authorization]=] ] = [=[Bearer k]=]" in script
    assert "done = function(summary, latency, requests)" in script


def test_wrk_output_is_read_from_the_summary_line() -> None:
    output = (
        "Running 10s test @ http://127.0.0.1:1/\n  Latency Distribution\n     50%  1.00ms\n"
        'LOCKGATE_WRK {"requests":40000,"duration_us":10000000,"connect":0,"read":1,'
        '"write":0,"status":2,"timeout":0,"p50_us":1234,"p99_us":5678}\n'
    )
    result = parse_wrk_output(output, connections=50)
    assert result.requests == 40000
    assert result.requests_per_s == 4000.0
    assert result.errors == 3
    assert (result.p50_ms, result.p99_ms) == (1.234, 5.678)
    with pytest.raises(RuntimeError, match="no summary"):
        parse_wrk_output("Requests/sec: 12\n", connections=1)


def test_a_server_that_exits_is_reported_with_its_output(tmp_path: Path) -> None:
    argv = [sys.executable, "-c", "print('port already taken'); raise SystemExit(3)"]
    process = ManagedProcess("broken", argv, tmp_path / "broken.log")
    with process, pytest.raises(BenchProcessError, match="port already taken"):
        process.wait_ready("http://127.0.0.1:9/", timeout=10)


def test_rss_of_the_own_process() -> None:
    import os

    sample = rss_of_tree(os.getpid())
    assert sample.processes >= 1
    assert sample.total_mb >= sample.largest_mb > 1


def test_bench_is_a_lockgate_command() -> None:
    args = build_parser().parse_args(["bench", "--quick", "--vs", "litellm", "--streams", "10"])
    assert args.command == "bench"
    assert args.quick and args.vs == ["litellm"] and args.streams == 10
    assert args.duration == 10.0 and args.connections == 50 and args.workers == 1
    with pytest.raises(SystemExit):
        build_parser().parse_args(["bench", "--connections", "0"])


def test_the_machine_line_gives_a_python_speed_in_milliseconds() -> None:
    # A million additions take between a microsecond and ten seconds on any machine.
    assert 0.001 < python_speed_ms(rounds=1) < 10_000
    line = describe_machine()["Python speed"]
    assert line.startswith("sum(range(10**6)) in ") and line.endswith(
        " ms (best of 5; lower is faster)"
    )
    assert float(line.split(" in ")[1].split(" ms")[0]) > 0
