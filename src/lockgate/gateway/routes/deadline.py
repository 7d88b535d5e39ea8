"""A request's overall time limit: ``asyncio.timeout`` semantics for a single await, with
less work per request (one timer and one small object, no context manager)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

__all__ = ["DeadlineExceeded", "await_within"]

T = TypeVar("T")


class DeadlineExceeded(TimeoutError):
    """``awaitable`` did not finish within the time given."""


class _Expiry:
    __slots__ = ("fired", "task")

    def __init__(self, task: asyncio.Task[object]) -> None:
        self.task = task
        self.fired = False

    def __call__(self) -> None:
        self.fired = True
        self.task.cancel()


async def await_within(awaitable: Awaitable[T], seconds: float) -> T:
    """The result of ``awaitable``; DeadlineExceeded after ``seconds``, when the current task
    is cancelled for it. A cancellation from elsewhere is re-raised as it is."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task(loop)  # given the loop: no second look-up
    assert task is not None, "await_within runs in a task"
    cancelling = task.cancelling()
    expiry = _Expiry(task)
    handle = loop.call_at(loop.time() + seconds, expiry)
    try:
        return await awaitable
    except asyncio.CancelledError:
        if expiry.fired:
            expiry.fired = False
            if task.uncancel() <= cancelling:  # ours, not an outer cancellation
                raise DeadlineExceeded from None
        raise
    finally:
        handle.cancel()
        if expiry.fired:  # it fired, yet the awaitable finished another way
            task.uncancel()
