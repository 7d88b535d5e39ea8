"""Structured JSON access log: one line per request, with no prompt, response or secret."""

from __future__ import annotations

import asyncio
import sys
import time
from typing import IO, Any, Final

import orjson

from lockgate.observability.metrics import RequestOutcome

__all__ = ["AccessLog"]


# A buffered line reaches the stream at most this long after it was written, so a quiet
# gateway's log is still current while a busy one makes one write call per many lines.
_FLUSH_AFTER_SECONDS: Final = 0.5


# Below this, value * 1000 counts thousandths exactly enough; larger values (never a time or
# a duration here) are left as they are.
_EXACT_BELOW: Final = 1e12


def _thousandths(value: float) -> float:
    """``value`` to three decimals, like ``round(value, 3)`` at half its cost (a line has
    three or four): it can differ in the last digit only for a value within a rounding error
    of a half-thousandth."""
    return round(value * 1000) / 1000 if abs(value) < _EXACT_BELOW else value


class AccessLog:
    """Writes JSON lines to a stream (stdout by default). ``enabled=False`` writes nothing.

    Lines go to the stream's binary buffer when it has one (no text encoding per line) and
    are flushed within half a second by a timer on the running loop, and by :meth:`flush`.
    """

    def __init__(self, stream: IO[str] | None = None, *, enabled: bool = True) -> None:
        self._stream = stream if stream is not None else sys.stdout
        self._binary: IO[bytes] | None = getattr(self._stream, "buffer", None)
        if self._binary is not None:
            self._stream.flush()  # whatever was printed before comes first
        self._flush_pending = False
        self.enabled = enabled

    def _emit(self, line: bytes) -> None:
        if self._binary is not None:
            self._binary.write(line)
        else:
            self._stream.write(line.decode())
        if not self._flush_pending:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no loop: write through
                self.flush()
                return
            self._flush_pending = True
            loop.call_later(_FLUSH_AFTER_SECONDS, self.flush)

    def write(
        self, request_id: str, method: str, path: str, outcome: RequestOutcome, **extra: Any
    ) -> None:
        if not self.enabled:
            return
        # _thousandths written out for the three values every line has (three calls less);
        # the wall-clock time is never negative.
        ts = time.time()
        duration = outcome.total_seconds * 1000
        overhead = outcome.overhead_seconds * 1000
        record: dict[str, Any] = {
            "ts": round(ts * 1000) / 1000 if ts < _EXACT_BELOW else ts,
            "level": "info" if outcome.status < 500 else "error",
            "event": "request",
            "request_id": request_id,
            "method": method,
            "path": path,
            "status": outcome.status,
            "model": outcome.model,
            "deployment": outcome.deployment,
            "duration_ms": round(duration * 1000) / 1000
            if -_EXACT_BELOW < duration < _EXACT_BELOW
            else duration,
            "overhead_ms": round(overhead * 1000) / 1000
            if -_EXACT_BELOW < overhead < _EXACT_BELOW
            else overhead,
            "prompt_tokens": outcome.prompt_tokens,
            "completion_tokens": outcome.completion_tokens,
            "cost": outcome.cost,
        }
        if outcome.key_id:
            record["key"] = outcome.key_id
        if outcome.ttft_seconds is not None:
            record["ttft_ms"] = _thousandths(outcome.ttft_seconds * 1000)
        if outcome.error_class is not None:
            record["error"] = outcome.error_class
        if extra:
            record.update(extra)
        self._emit(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE))

    def event(self, event: str, **fields: Any) -> None:
        """A lifecycle line (startup, reload, shutdown)."""
        if not self.enabled:
            return
        record = {"ts": round(time.time(), 3), "level": "info", "event": event, **fields}
        self._emit(orjson.dumps(record, default=str, option=orjson.OPT_APPEND_NEWLINE))

    def flush(self) -> None:
        self._flush_pending = False
        try:
            if self._binary is not None:
                self._binary.flush()
            self._stream.flush()
        except (OSError, ValueError):  # the stream was closed (or its reader went away)
            pass
