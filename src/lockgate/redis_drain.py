"""Sending queued batches of Redis script operations, one call at a time.

Shared by the limits (``limits/redis_batches.py``) and the router state
(``router/state/redis_ops.py``): each keeps a queue of batches that requests add to while a
call is in flight; this sends them in order until the queue is empty. A call that fails
fails its batch alone; if the sending task itself is cancelled (the loop shutting down) or
breaks, every batch still queued is abandoned, so no caller waits forever.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.exceptions import RedisError

__all__ = ["drain_batches"]

B = TypeVar("B")


async def drain_batches(
    queue: deque[B],
    send: Callable[[B], Awaitable[bytes | str]],
    deliver: Callable[[B, bytes | str], None],
    failed: Callable[[B, str], None],
    abandoned: Callable[[B, str], None],
) -> None:
    """``send`` each batch (the script's reply comes back), then ``deliver`` the reply;
    ``failed`` hears of a batch whose call failed, ``abandoned`` of those never answered."""
    batch: B | None = None
    try:
        while queue:
            batch = queue.popleft()
            try:
                reply = await send(batch)
            except (RedisError, OSError) as error:
                failed(batch, type(error).__name__)
            else:
                deliver(batch, reply)
            batch = None
    except BaseException as error:
        for pending in ([batch] if batch is not None else []) + list(queue):
            abandoned(pending, type(error).__name__)
        queue.clear()
        raise
