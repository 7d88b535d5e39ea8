"""The gateway's ASGI application: match the route, authenticate, run the handler, and turn
every failure into the contract's error shape (never a stack trace)."""

from __future__ import annotations

import asyncio
import itertools
import secrets
import traceback
from collections.abc import Callable
from itertools import chain

from lockgate.errors import InternalServerError, LockgateError
from lockgate.gateway.asgi_types import Receive, Scope, Send
from lockgate.gateway.auth import Principal, authorize
from lockgate.gateway.destination_guard import reject_destination_overrides
from lockgate.gateway.exchange import Exchange
from lockgate.gateway.http_request import ClientDisconnected, HttpRequest, read_body
from lockgate.gateway.http_response import error_payload, send_json
from lockgate.gateway.memory_release import MemoryRelease
from lockgate.gateway.routing_table import ErrorShape, Route, RouteTable
from lockgate.gateway.state import GatewayState
from lockgate.observability import AccessLog, GatewayMetrics, RequestOutcome

__all__ = ["ErrorRenderer", "GatewayApp"]

# Renders an error for a route's shape: (status, JSON payload).
ErrorRenderer = Callable[[LockgateError], tuple[int, object]]


class HeaderTooLargeError(LockgateError):
    default_status = 431
    default_type = "invalid_request_error"


class MethodNotAllowedError(LockgateError):
    default_status = 405
    default_type = "invalid_request_error"


class GatewayApp:
    def __init__(
        self,
        state: GatewayState,
        routes: RouteTable,
        *,
        metrics: GatewayMetrics,
        access_log: AccessLog,
        error_renderers: dict[ErrorShape, ErrorRenderer],
        on_startup: Callable[[GatewayApp], object] | None = None,
        on_shutdown: Callable[[GatewayApp], object] | None = None,
    ) -> None:
        self.state = state
        self.routes = routes
        self.metrics = metrics
        self.access_log = access_log
        self._renderers = error_renderers
        self._on_startup = on_startup
        self._on_shutdown = on_shutdown
        # Request ids: a random prefix per process and a counter (unique, and cheaper than
        # a uuid4 per request; they need not be unpredictable).
        prefix = secrets.token_hex(6)
        counter = itertools.count(1)
        self._new_request_id = lambda: f"{prefix}{next(counter):010x}"
        self.in_flight = 0
        self.memory = MemoryRelease(
            lambda: self.in_flight, before_collect=self._close_idle_upstreams
        )

    def set_lifecycle(
        self,
        on_startup: Callable[[GatewayApp], object] | None,
        on_shutdown: Callable[[GatewayApp], object] | None,
    ) -> None:
        self._on_startup = on_startup
        self._on_shutdown = on_shutdown

    def _close_idle_upstreams(self) -> None:
        """Once idle after a burst: idle upstream connections keep objects the burst
        allocated (see memory_release.py); the next requests open new ones."""
        self.state.client.transport.close_idle()

    def replace_state(self, state: GatewayState) -> GatewayState:
        """Swap in a new state (reload); returns the old one for the caller to close."""
        old, self.state = self.state, state
        return old

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # An HTTP request is served here rather than in a method of its own: each coroutine
        # level costs on every request (and again on every resume).
        kind = scope["type"]
        if kind != "http":
            if kind == "lifespan":
                await self._lifespan(receive, send)
            return
        request = HttpRequest.from_scope(scope, self._new_request_id)
        # One state for the whole request, even across a reload.
        exchange = Exchange(request, receive, send, self.state)
        route = self.routes.match(request.path)
        gauge = self.metrics.in_flight
        gauge.value += 1.0  # the gauge's inc(), without a method call per request
        self.in_flight += 1
        self.memory.note(self.in_flight)
        try:
            if route is None:
                raise LockgateError(
                    f"no route for {request.raw_path}", status_code=404, code="not_found"
                )
            if request.method not in route.methods:
                raise MethodNotAllowedError(
                    f"{request.method} is not allowed on {request.raw_path}"
                )
            state = exchange.state
            limits = state.limits
            headers = scope["headers"]
            if (
                len(headers) > limits.max_headers
                or sum(map(len, chain.from_iterable(headers))) > limits.max_header_bytes
            ):
                raise HeaderTooLargeError("request headers are too large")
            principal: Principal | None = authorize(
                route.policy, request.headers, state.authenticators
            )
            request.principal = principal
            query = request.query
            reject_destination_overrides(
                None, request.headers, _query_names(query) if query else ()
            )
            if route.reads_body:
                request.body = await read_body(receive, limits.max_body_bytes)
            await route.handler(exchange)
        except ClientDisconnected:
            exchange.error_class = "ClientDisconnected"
            exchange.status = 499
        except LockgateError as error:
            await self._send_error(exchange, error, _shape(route))
        except asyncio.CancelledError:
            exchange.error_class = "Cancelled"
            raise
        except Exception as exc:  # anything unexpected is a 500 without details
            self.access_log.event(
                "unhandled_error",
                request_id=request.request_id,
                error=type(exc).__name__,
                where=_where(exc),
            )
            await self._send_error(exchange, InternalServerError("internal error"), _shape(route))
        finally:
            self.in_flight -= 1
            gauge.value -= 1.0
            self._record(exchange, route)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                control_started = False
                try:
                    if self.state.control is not None:
                        await self.state.control.start()  # closes itself if it fails
                        control_started = True
                    self.memory.start()
                    if self._on_startup is not None:
                        await _maybe_await(self._on_startup(self))
                except Exception as exc:  # uvicorn reports it and exits
                    # First line only: no SQL parameters, no tracebacks.
                    first = str(exc).splitlines()[0][:200] if str(exc) else ""
                    reason = f"{type(exc).__name__}: {first}"
                    self.access_log.event("startup_failed", error=reason, where=_where(exc))
                    # No shutdown follows a failed start-up: close what did start.
                    await self.memory.stop()
                    if control_started and self.state.control is not None:
                        await self.state.control.aclose()
                    await send({"type": "lifespan.startup.failed", "message": reason})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.memory.stop()
                if self._on_shutdown is not None:
                    await _maybe_await(self._on_shutdown(self))
                try:
                    await self.state.aclose()
                finally:
                    if self.state.control is not None:  # flushes the spend logs
                        await self.state.control.aclose()
                self.access_log.flush()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _send_error(
        self, exchange: Exchange, error: LockgateError, shape: ErrorShape
    ) -> None:
        exchange.error_class = type(error).__name__
        if exchange.response_started:
            return  # a stream already began; the relay reported it in-band
        status, payload = self._renderers[shape](error)
        headers = {"x-request-id": exchange.request.request_id, **exchange.rate_limit_headers}
        if error.retry_after is not None and status == 429:
            headers["retry-after"] = str(max(1, round(error.retry_after)))
        await send_json(exchange.send, status, payload, headers)

    def _record(self, exchange: Exchange, route: Route | None) -> None:
        request = exchange.request
        model = request.model
        if model not in exchange.state.model_names:
            model = "" if model is None else "other"
        principal = request.principal
        total = exchange.elapsed()
        # Positional: a call by keyword builds a dict of them first.
        outcome = RequestOutcome(
            route.name if route is not None else "unmatched",
            model,
            exchange.deployment,
            exchange.status,
            total,
            total - exchange.provider_seconds,  # overhead
            exchange.ttft_seconds,
            exchange.prompt_tokens,
            exchange.completion_tokens,
            exchange.cost,
            exchange.error_class,
            principal.key_id if isinstance(principal, Principal) else "",
        )
        self.metrics.record(outcome)
        self.access_log.write(request.request_id, request.method, request.raw_path, outcome)


def _shape(route: Route | None) -> ErrorShape:
    return route.error_shape if route is not None else ErrorShape.OPENAI


def default_error_renderer(error: LockgateError) -> tuple[int, object]:
    return error_payload(error)


def _query_names(query: bytes) -> list[str]:
    if not query:
        return []
    names = []
    for part in query.split(b"&"):
        name = part.split(b"=", 1)[0]
        if name:
            names.append(name.decode("latin-1"))
    return names


def _where(exc: Exception) -> str:
    """File and line of an unexpected error, for the operator's log (no values, no locals)."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    last = frames[-1]
    return f"{last.filename.rsplit('/', 1)[-1]}:{last.lineno}"


async def _maybe_await(value: object) -> None:
    if asyncio.iscoroutine(value):
        await value
