"""Checks around the measurements: the target answers correctly, metrics are on, and the
open-files limit fits many concurrent streams."""

from __future__ import annotations

import resource
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from lockgate.bench.canned import MASTER_KEY, chat_request
from lockgate.bench.targets import Target

__all__ = ["check_answer", "metrics_note", "raised_open_files"]


@contextmanager
def raised_open_files(wanted: int) -> Iterator[None]:
    """Raise the soft open-files limit (children inherit it) for many concurrent streams."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target <= soft:
        yield
        return
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def check_answer(target: Target) -> None:
    """One request must answer 200 with a chat completion before any load is sent."""
    request = urllib.request.Request(  # noqa: S310 - loopback URL built by the benchmark
        target.chat_url,
        data=chat_request(target.model),
        headers=dict(target.headers),
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30.0) as reply:  # noqa: S310
            body = reply.read()
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"answered {exc.code}: {exc.read()[:300]!r}") from None
    if b'"choices"' not in body:
        raise RuntimeError(f"answered without a chat completion: {body[:300]!r}")


def metrics_note(target: Target) -> str:
    """Whether the gateway's Prometheus endpoint counted the load (the goals say metrics on)."""
    request = urllib.request.Request(  # noqa: S310 - loopback URL built by the benchmark
        # The master key: the load may call with a virtual key that may not read metrics.
        target.url("/metrics"),
        headers={"Authorization": f"Bearer {MASTER_KEY}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10.0) as reply:  # noqa: S310
            size = len(reply.read())
    except (urllib.error.URLError, OSError) as exc:
        return f"{target.name}: GET /metrics failed after the load ({exc}): were metrics on?"
    return f"{target.name}: metrics on (GET /metrics answered {size:,} bytes after the load)."
