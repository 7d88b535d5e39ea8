"""No connection and no DNS lookup at gateway start: a subprocess with an audit hook builds
the app exactly as `lockgate serve` does (GatewayRuntime, from a config file naming real
providers) and runs its lifespan startup and shutdown. `tests/test_import.py` covers import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROBE = r"""
import asyncio, json, socket, sys
events = []

def hook(event, args):
    if event == "socket.__new__" and args[1] == socket.AF_UNIX:
        return  # the event loop's own self-pipe
    if event.startswith(("socket.", "subprocess.", "os.system", "os.exec", "os.spawn")):
        events.append(f"{event} {args!r}"[:300])

config_path, data_dir = sys.argv[1], sys.argv[2]
from lockgate.config.launch import LaunchSpec
from lockgate.gateway.runtime import GatewayRuntime

sys.addaudithook(hook)  # after the imports: tests/test_import.py covers those

async def lifespan(app):
    inbox = asyncio.Queue()
    outbox = []
    await inbox.put({"type": "lifespan.startup"})
    async def receive():
        return await inbox.get()
    async def send(message):
        outbox.append(message["type"])
        if message["type"] == "lifespan.startup.complete":
            await inbox.put({"type": "lifespan.shutdown"})
    await app({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)
    return outbox

runtime = GatewayRuntime(LaunchSpec(config_path=config_path, model=None, data_dir=data_dir), {})
app = runtime.build_app()
messages = asyncio.run(lifespan(app))
print(json.dumps({"events": events, "messages": messages}))
"""

CONFIG = """\
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: sk-not-used-at-start
  - model_name: claude
    litellm_params:
      model: anthropic/claude-sonnet-4-5
      api_key: sk-ant-not-used-at-start
  - model_name: private
    litellm_params:
      model: openai/llama
      api_base: https://llm.internal.example:8443/v1
      api_key: sk-private
general_settings:
  master_key: sk-start-master-1
"""


def run_probe(tmp_path: Path, probe: str = PROBE) -> dict[str, object]:
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG)
    done = subprocess.run(
        [sys.executable, "-c", probe, str(config), str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_gateway_start_opens_no_connection_and_resolves_no_name(tmp_path: Path) -> None:
    result = run_probe(tmp_path)
    assert result["messages"] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert result["events"] == []


def test_the_probe_would_see_a_lookup(tmp_path: Path) -> None:
    """Control: a name lookup during startup is reported."""
    probe = PROBE.replace(
        "app = runtime.build_app()",
        "app = runtime.build_app(); socket.getaddrinfo('localhost', 80)",
    )
    events = run_probe(tmp_path, probe)["events"]
    assert isinstance(events, list) and any(e.startswith("socket.getaddrinfo") for e in events)
