"""`import lockgate` only imports: no connection, no DNS lookup, no thread, no subprocess."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = r"""
import json, sys, threading, time
events = []
def hook(event, args):
    if event.startswith(("socket.", "subprocess.", "os.system", "os.exec", "os.spawn")):
        events.append(event)
sys.addaudithook(hook)
threads_before = threading.active_count()
started = time.perf_counter()
import lockgate
elapsed = time.perf_counter() - started
print(json.dumps({"events": events, "seconds": elapsed,
                  "threads": threading.active_count() - threads_before}))
"""


def run_probe() -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_import_opens_no_socket_and_starts_no_thread() -> None:
    result = run_probe()
    assert result["events"] == []
    assert result["threads"] == 0


def test_import_is_fast() -> None:
    # Best of three, so a busy machine does not fail the run; bytecode is cached after one.
    best = min(float(run_probe()["seconds"]) for _ in range(3))  # type: ignore[arg-type]
    assert best < 0.3, f"import lockgate took {best * 1000:.0f} ms"


def test_the_probe_would_see_a_connection() -> None:
    """Control: the audit hook does report socket use, so the test above can fail."""
    probe = PROBE.replace("import lockgate", "import socket; socket.getaddrinfo('localhost', 80)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "socket.getaddrinfo" in json.loads(out.stdout.strip().splitlines()[-1])["events"]
