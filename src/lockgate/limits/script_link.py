"""One Lua script, called over a Redis connection of its own.

The limits batcher and the router-state queue (``lockgate.router.state.redis_ops``) make
one script call at a time each, so each keeps one connection of the client's pool for as
long as it lives and calls the script on it directly. That is still redis-py's connection:
its command packing, reply parser, socket timeouts, reconnection and the client's retry
policy. What it skips is the client's per-command path (taking a connection from the pool
and giving it back, observability hooks, response callbacks), which was about half the
client CPU of a call: a virtual key's request makes two such calls, one to reserve and one
to settle, and the router two more. The script is called by its SHA1 and loaded again when
the server does not know it (a restart, ``SCRIPT FLUSH``), as redis-py's scripts do.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from redis.exceptions import NoScriptError

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.asyncio.connection import AbstractConnection

__all__ = ["ScriptCall", "ScriptLink"]

Arg = bytes | str


class ScriptCall(Protocol):
    """What the batching queues call: a script with its keys and arguments."""

    async def __call__(self, keys: Sequence[Arg], args: Sequence[Arg]) -> Any: ...


class ScriptLink:
    """``ScriptLink(client, script)``: ``await link(keys=..., args=...)`` runs ``script``.
    Not for concurrent calls (one call at a time, as the queues make them); ``aclose``
    gives the connection back to the client's pool."""

    def __init__(self, redis: Redis, script: str) -> None:
        self._redis = redis
        self._text = script
        # Redis names a script by its SHA1 (an id, not a security measure).
        self._sha = hashlib.sha1(script.encode(), usedforsecurity=False).hexdigest()
        self._connection: AbstractConnection | None = None

    async def __call__(self, keys: Sequence[Arg], args: Sequence[Arg]) -> Any:
        connection = self._connection
        if connection is None:  # the first call, or after aclose
            pool = self._redis.connection_pool
            connection = self._connection = await pool.get_connection()  # type: ignore[no-untyped-call]
        try:
            return await _call(connection, self._sha, keys, args)
        except NoScriptError:
            self._sha = await self._redis.script_load(self._text)
            return await _call(connection, self._sha, keys, args)

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await self._redis.connection_pool.release(connection)


async def _call(
    connection: AbstractConnection, sha: str, keys: Sequence[Arg], args: Sequence[Arg]
) -> Any:
    command = connection.pack_command("EVALSHA", sha, len(keys), *keys, *args)

    async def once() -> Any:
        # On a broken connection redis-py disconnects it; the next send reconnects.
        await connection.send_packed_command(command)
        return await connection.read_response()

    async def failed(error: Exception) -> None:
        await connection.disconnect()

    return await connection.retry.call_with_retry(once, failed)
