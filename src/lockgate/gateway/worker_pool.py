"""``lockgate serve --workers N``: the workers start while `lockgate verify` runs.

Workers are fresh (spawned) processes that import and build the whole gateway, a second or
more each. Started only after the verdict, they made a two-worker start-up take the
verdict's time *plus* theirs (2.9 s where one worker takes 1.7 s). Here uvicorn's
supervisor starts them at once, and each, its app built and its store read, waits for the
verdict before serving (`await_verdict`, the runtime's serving gate).

As with one worker, a refused environment never listens on its port: the supervisor makes
the listening socket before the workers, so each gets a duplicate of it when it starts, but
binds it only once the verdict allows serving, and only then tells the workers. A refusal
stops every worker before it serves (they end as a failed start-up, which stops uvicorn's
supervisor) and `lockgate serve` exits 1. The verdict reaches the workers as a file in a
private folder (`VerdictBoard`), named by the variable `VERDICT_VARIABLE`; a worker spawned
later (a SIGHUP restart, a replaced worker) finds it already given.

uvicorn spawns each worker as a fresh interpreter, which then imports the whole gateway:
about a second of CPU per worker, with the workers and the verifier contending for the
cores. Here a forkserver imports the worker module once and forks every worker from it
(`_workers_forked_from_one_import`). On a 2-core machine two workers were ready in 2.1-2.5 s
spawned after the verdict, 1.5-1.8 s forked while it is awaited.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any, Final

import uvicorn
from uvicorn import _subprocess as uvicorn_subprocess
from uvicorn.supervisors import Multiprocess

__all__ = [
    "VERDICT_VARIABLE",
    "VerdictBoard",
    "await_verdict",
    "run_workers",
    "stop_when_the_supervisor_dies",
    "supervisor_alive",
]

VERDICT_VARIABLE: Final = "LOCKGATE_SERVING_VERDICT"
_SERVE: Final = "serve"
_REFUSE: Final = "refuse"
_POLL_SECONDS: Final = 0.01


class VerdictBoard:
    """The supervisor's side: a folder only this user can write, holding the verdict once
    it is given."""

    def __init__(self) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="lockgate-verdict-"))  # mode 0700
        self.path = self._folder / "verdict"

    def publish(self, serve: bool) -> None:
        draft = self._folder / "draft"
        draft.write_text(_SERVE if serve else _REFUSE)
        os.replace(draft, self.path)  # a worker reads the whole verdict or none

    def close(self) -> None:
        shutil.rmtree(self._folder, ignore_errors=True)


def await_verdict(path: Path, supervisor_running: Callable[[], bool]) -> bool:
    """The worker's side: blocks until the verdict is given; False when it refuses, or when
    the supervisor is gone without giving one."""
    while True:
        try:
            return path.read_text() == _SERVE
        except FileNotFoundError:
            if not supervisor_running():
                return False
            time.sleep(_POLL_SECONDS)


def stop_when_the_supervisor_dies() -> None:
    """In a worker: shut down gracefully (SIGTERM to itself) once the supervisor is gone.
    uvicorn's workers otherwise outlive a killed supervisor, still holding the port, so
    that a restarted gateway cannot bind it (gunicorn's workers watch for the same)."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="supervisor-watch", daemon=True).start()


def supervisor_alive() -> Callable[[], bool]:
    """In a worker: whether the process that spawned it still runs."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        return parent.is_alive
    started_under = os.getppid()
    return lambda: os.getppid() == started_under


@contextmanager
def _workers_forked_from_one_import(module: str) -> Iterator[None]:
    """uvicorn's supervisor starts workers through its module's ``spawn`` context (uvicorn
    is pinned in the lock; a test checks the workers are forked); here a forkserver that
    has imported `module` stands in for it."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        yield
        return
    forkserver = multiprocessing.get_context("forkserver")
    forkserver.set_forkserver_preload([module])
    spawn = uvicorn_subprocess.spawn
    uvicorn_subprocess.spawn = forkserver  # type: ignore[assignment]
    try:
        yield
    finally:
        uvicorn_subprocess.spawn = spawn


def _unbound_listener(host: str) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    return listener


class _Verdict:
    """Asks the gate in a thread (it waits for `lockgate verify`), binds the port if it
    allows serving, and publishes the outcome to the workers."""

    def __init__(
        self, gate: Callable[[], bool], listener: socket.socket, config: uvicorn.Config
    ) -> None:
        self.refused = False
        self._gate = gate
        self._listener = listener
        self._config = config
        self.board = VerdictBoard()
        self._thread = threading.Thread(target=self._decide, name="serving-verdict", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    def _decide(self) -> None:
        serve = False
        try:
            serve = self._gate() and self._listen()
        finally:
            self.refused = not serve
            self.board.publish(serve)

    def _listen(self) -> bool:
        address = (self._config.host, self._config.port)
        try:
            self._listener.bind(address)
            self._listener.listen(self._config.backlog)
        except OSError as error:
            print(f"lockgate: cannot listen on {address[0]}:{address[1]}: {error}", file=sys.stderr)
            return False
        return True


def run_workers(
    app: str, workers: int, uvicorn_kwargs: dict[str, Any], gate: Callable[[], bool]
) -> int:
    """Serve `app` (an import string naming a factory) in `workers` processes until
    stopped; the exit status."""
    config = uvicorn.Config(app, factory=True, workers=workers, **uvicorn_kwargs)
    listener = _unbound_listener(config.host)
    verdict = _Verdict(gate, listener, config)
    os.environ[VERDICT_VARIABLE] = str(verdict.board.path)  # read by spawned workers
    try:
        supervisor = Multiprocess(config, sockets=[listener])  # signal handlers: main thread
        verdict.start()
        with _workers_forked_from_one_import(app.partition(":")[0]):
            supervisor.run()
        verdict.join(timeout=5.0)
        return 1 if verdict.refused else 0
    finally:
        listener.close()
        verdict.board.close()
        os.environ.pop(VERDICT_VARIABLE, None)
