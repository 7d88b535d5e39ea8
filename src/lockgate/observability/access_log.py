"""Structured JSON access log: one line per request, with no prompt, response or secret."""

from __future__ import annotations

import sys
import time
from typing import IO, Any

import orjson

from lockgate.observability.metrics import RequestOutcome

__all__ = ["AccessLog"]


class AccessLog:
    """Writes JSON lines to a stream (stdout by default). ``enabled=False`` writes nothing."""

    def __init__(self, stream: IO[str] | None = None, *, enabled: bool = True) -> None:
        self._stream = stream if stream is not None else sys.stdout
        self.enabled = enabled

    def write(
        self, request_id: str, method: str, path: str, outcome: RequestOutcome, **extra: Any
    ) -> None:
        if not self.enabled:
            return
        record: dict[str, Any] = {
            "ts": round(time.time(), 3),
            "level": "info" if outcome.status < 500 else "error",
            "event": "request",
            "request_id": request_id,
            "method": method,
            "path": path,
            "status": outcome.status,
            "model": outcome.model,
            "deployment": outcome.deployment,
            "duration_ms": round(outcome.total_seconds * 1000, 3),
            "overhead_ms": round(outcome.overhead_seconds * 1000, 3),
            "prompt_tokens": outcome.prompt_tokens,
            "completion_tokens": outcome.completion_tokens,
            "cost": outcome.cost,
        }
        if outcome.key_id:
            record["key"] = outcome.key_id
        if outcome.ttft_seconds is not None:
            record["ttft_ms"] = round(outcome.ttft_seconds * 1000, 3)
        if outcome.error_class is not None:
            record["error"] = outcome.error_class
        record.update(extra)
        self._stream.write(orjson.dumps(record).decode() + "\n")

    def event(self, event: str, **fields: Any) -> None:
        """A lifecycle line (startup, reload, shutdown)."""
        if not self.enabled:
            return
        record = {"ts": round(time.time(), 3), "level": "info", "event": event, **fields}
        self._stream.write(orjson.dumps(record, default=str).decode() + "\n")

    def flush(self) -> None:
        self._stream.flush()
