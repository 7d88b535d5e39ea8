"""The gateway's ASGI application: match the route, authenticate, run the handler, and turn
every failure into the contract's error shape (never a stack trace)."""

from __future__ import annotations

import asyncio
import itertools
import secrets
import traceback
from collections.abc import Callable

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
        self.memory = MemoryRelease(lambda: self.in_flight)

    def set_lifecycle(
        self,
        on_startup: Callable[[GatewayApp], object] | None,
        on_shutdown: Callable[[GatewayApp], object] | None,
    ) -> None:
        self._on_startup = on_startup
        self._on_shutdown = on_shutdown

    def replace_state(self, state: GatewayState) -> GatewayState:
        """Swap in a new state (reload); returns the old one for the caller to close."""
        old, self.state = self.state, state
        return old

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    if self.state.control is not None:
                        await self.state.control.start()
                    self.memory.start()
                    if self._on_startup is not None:
                        await _maybe_await(self._on_startup(self))
                except Exception as exc:  # uvicorn reports it and exits
                    # First line only: no SQL parameters, no tracebacks.
                    first = str(exc).splitlines()[0][:200] if str(exc) else ""
                    reason = f"{type(exc).__name__}: {first}"
                    self.access_log.event("startup_failed", error=reason, where=_where(exc))
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

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = HttpRequest.from_scope(scope, self._new_request_id)
        state = self.state  # one state for the whole request, even across a reload
        exchange = Exchange(request, receive, send, state)
        route = self.routes.match(request.path)
        shape = route.error_shape if route is not None else ErrorShape.OPENAI
        self.metrics.in_flight.inc()
        self.in_flight += 1
        self.memory.note(self.in_flight)
        try:
            await self._run(exchange, route, scope)
        except ClientDisconnected:
            exchange.error_class = "ClientDisconnected"
            exchange.status = 499
        except LockgateError as error:
            await self._send_error(exchange, error, shape)
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
            await self._send_error(exchange, InternalServerError("internal error"), shape)
        finally:
            self.in_flight -= 1
            self.metrics.in_flight.dec()
            self._record(exchange, route)

    async def _run(self, exchange: Exchange, route: Route | None, scope: Scope) -> None:
        request = exchange.request
        if route is None:
            raise LockgateError(
                f"no route for {request.raw_path}", status_code=404, code="not_found"
            )
        if request.method not in route.methods:
            raise MethodNotAllowedError(f"{request.method} is not allowed on {request.raw_path}")
        limits = exchange.state.limits
        headers = scope["headers"]
        if (
            len(headers) > limits.max_headers
            or sum(len(k) + len(v) for k, v in headers) > limits.max_header_bytes
        ):
            raise HeaderTooLargeError("request headers are too large")
        principal: Principal | None = authorize(
            route.policy, request.headers, exchange.state.authenticators
        )
        request.principal = principal
        reject_destination_overrides(None, request.headers, _query_names(request.query))
        if route.reads_body:
            request.body = await read_body(exchange.receive, limits.max_body_bytes)
        await route.handler(exchange)

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
        model = (
            request.model
            if request.model in exchange.state.model_names
            else ("" if request.model is None else "other")
        )
        principal = request.principal
        outcome = RequestOutcome(
            route=route.name if route is not None else "unmatched",
            model=model,
            deployment=exchange.deployment,
            status=exchange.status,
            total_seconds=exchange.elapsed(),
            overhead_seconds=exchange.elapsed() - exchange.provider_seconds,
            ttft_seconds=exchange.ttft_seconds,
            prompt_tokens=exchange.prompt_tokens,
            completion_tokens=exchange.completion_tokens,
            cost=exchange.cost,
            error_class=exchange.error_class,
            key_id=principal.key_id if isinstance(principal, Principal) else "",
        )
        self.metrics.record(outcome)
        self.access_log.write(request.request_id, request.method, request.raw_path, outcome)


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
