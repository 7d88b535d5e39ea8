"""The only code in lockgate that opens network connections.

One pooled aiohttp session per event loop. Every request passes the egress policy first;
redirects are never followed; connection failures become APIConnectionError and time-outs
APITimeoutError; response bodies are read up to a bound.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver

from lockgate.errors import APIConnectionError, APITimeoutError, LockgateError
from lockgate.transport.egress import EgressPolicy
from lockgate.transport.messages import Timeouts, UpstreamRequest, UpstreamResponse
from lockgate.transport.resolver import EgressCheckingResolver

__all__ = ["HttpTransport", "StreamingResponse"]

DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024


class StreamingResponse:
    """An open upstream response whose body is read as it arrives."""

    __slots__ = ("_response", "_timeouts", "headers", "started", "status")

    def __init__(self, response: aiohttp.ClientResponse, timeouts: Timeouts, started: float):
        self._response = response
        self._timeouts = timeouts
        self.status = response.status
        self.headers = response.headers
        self.started = started

    async def iter_bytes(self) -> AsyncIterator[bytes]:
        """Yield body bytes as they arrive; a broken connection raises APIConnectionError."""
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except TimeoutError as exc:  # first: aiohttp's read time-out is also a ClientError
            raise APITimeoutError(
                f"upstream stream idle for more than {self._timeouts.read:g}s"
            ) from exc
        except (aiohttp.ClientPayloadError, aiohttp.ClientConnectionError) as exc:
            raise APIConnectionError(f"upstream stream broke: {type(exc).__name__}") from exc

    async def read_body(self, limit: int = DEFAULT_MAX_RESPONSE_BYTES) -> bytes:
        return await _read_bounded(self._response, limit)


class HttpTransport:
    """Holds the policy and the per-loop sessions. Close it with :meth:`aclose`."""

    def __init__(
        self,
        policy: EgressPolicy,
        *,
        max_connections: int = 1000,
        keepalive_seconds: float = 30.0,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        dns_resolver: AbstractResolver | None = None,
    ) -> None:
        self.policy = policy
        self._dns_resolver = dns_resolver
        self._max_connections = max_connections
        self._keepalive = keepalive_seconds
        self._max_response_bytes = max_response_bytes
        # A cache of open sessions, one per event loop (aiohttp sessions are loop-bound).
        self._sessions: dict[asyncio.AbstractEventLoop, aiohttp.ClientSession] = {}
        self._allowed_urls: set[tuple[str, frozenset[str]]] = set()

    def _session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        session = self._sessions.get(loop)
        if session is None or session.closed:
            self._forget_closed_loops()
            connector = aiohttp.TCPConnector(
                limit=self._max_connections,
                limit_per_host=0,
                keepalive_timeout=self._keepalive,
                ttl_dns_cache=10,
                resolver=EgressCheckingResolver(self.policy, self._dns_resolver),
            )
            session = aiohttp.ClientSession(
                connector=connector,
                auto_decompress=True,
                skip_auto_headers=("User-Agent",),
                timeout=aiohttp.ClientTimeout(total=None),
            )
            self._sessions[loop] = session
        return session

    def _forget_closed_loops(self) -> None:
        for loop in [lp for lp in self._sessions if lp.is_closed()]:
            # Its loop is gone, so it cannot be closed gracefully; detach so it is not
            # reported as leaked, and let the sockets close with the loop's transports.
            self._sessions.pop(loop).detach()

    async def aclose(self) -> None:
        """Close the session of the running loop (call before the loop ends)."""
        loop = asyncio.get_running_loop()
        session = self._sessions.pop(loop, None)
        if session is not None:
            await session.close()

    def _check(self, request: UpstreamRequest) -> None:
        # The policy is immutable, so a URL it allowed once stays allowed: the cache skips
        # re-parsing the same deployment URL on every request. Resolved addresses are still
        # checked at connect time by the resolver.
        key = (request.url, request.extra_allowed_hosts)
        if key in self._allowed_urls:
            return
        self.policy.check_url(request.url, request.extra_allowed_hosts)
        if len(self._allowed_urls) >= 4096:
            self._allowed_urls.clear()
        self._allowed_urls.add(key)

    async def send(self, request: UpstreamRequest, timeouts: Timeouts) -> UpstreamResponse:
        """Send a request and read the whole (bounded) body."""
        self._check(request)
        started = time.perf_counter()
        try:
            async with self._session().request(
                request.method,
                request.url,
                data=request.body,
                headers=dict(request.headers),
                allow_redirects=False,
                timeout=_client_timeout(timeouts),
            ) as response:
                body = await _read_bounded(response, self._max_response_bytes)
                return UpstreamResponse(
                    response.status, response.headers, body, time.perf_counter() - started
                )
        except LockgateError:
            raise
        except Exception as exc:
            raise _map_exception(exc, request, timeouts) from exc

    @asynccontextmanager
    async def stream(
        self, request: UpstreamRequest, timeouts: Timeouts
    ) -> AsyncIterator[StreamingResponse]:
        """Open a request whose body is consumed incrementally. Leaving the block closes it,
        which cancels the upstream request if it is still running."""
        self._check(request)
        started = time.perf_counter()
        stream_timeout = Timeouts(connect=timeouts.connect, read=timeouts.read, total=None)
        try:
            response = await self._session().request(
                request.method,
                request.url,
                data=request.body,
                headers=dict(request.headers),
                allow_redirects=False,
                timeout=_client_timeout(stream_timeout),
            )
        except LockgateError:
            raise
        except Exception as exc:
            raise _map_exception(exc, request, timeouts) from exc
        try:
            yield StreamingResponse(response, timeouts, started)
        finally:
            response.close()  # closes the connection unless fully read: cancels upstream


def _client_timeout(timeouts: Timeouts) -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(
        total=timeouts.total, sock_connect=timeouts.connect, sock_read=timeouts.read
    )


async def _read_bounded(response: aiohttp.ClientResponse, limit: int) -> bytes:
    declared = response.content_length
    if declared is not None and declared > limit:
        raise APIConnectionError(f"upstream response of {declared} bytes exceeds {limit}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_any():
        size += len(chunk)
        if size > limit:
            # Free what was read now: the error's traceback keeps this frame (and the list)
            # alive while the router retries, so each attempt would hold another `limit`.
            chunks.clear()
            raise APIConnectionError(f"upstream response exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _map_exception(exc: Exception, request: UpstreamRequest, timeouts: Timeouts) -> LockgateError:
    host = urlsplit(request.url).hostname or "?"
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return APITimeoutError(f"connecting to {host} timed out after {timeouts.connect:g}s")
    if isinstance(exc, TimeoutError):
        return APITimeoutError(f"request to {host} timed out")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return APIConnectionError(f"cannot connect to {host}: {exc.strerror or 'refused'}")
    if isinstance(exc, aiohttp.ClientError):
        return APIConnectionError(f"connection to {host} failed: {type(exc).__name__}")
    return APIConnectionError(f"connection to {host} failed: {type(exc).__name__}")
