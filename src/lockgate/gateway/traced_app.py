"""The gateway app with OpenTelemetry traces: built by the factory only when tracing is on,
so a gateway without it runs :class:`GatewayApp` itself and pays nothing.

Each HTTP request gets a SERVER span (child of an inbound W3C ``traceparent``); each call
through the dispatcher gets a CLIENT span under it (``TracedDispatcher``). The tracer
provider is flushed and stopped at shutdown (lifespan), after the app's own shutdown.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from lockgate.gateway.app import GatewayApp
from lockgate.gateway.asgi_types import Message, Receive, Scope, Send
from lockgate.gateway.state import GatewayState
from lockgate.observability.tracing import Tracing
from lockgate.observability.upstream_spans import TracedDispatcher

__all__ = ["TracedGatewayApp"]

_PROPAGATOR = TraceContextTextMapPropagator()  # stateless: W3C traceparent / tracestate
_TRACE_HEADERS = frozenset({b"traceparent", b"tracestate"})


class TracedGatewayApp(GatewayApp):
    def __init__(self, *args: Any, tracing: Tracing, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tracing = tracing
        self.state = self._traced(self.state)
        paths = [path for path, _ in self.routes.routes()]
        self._exact = frozenset(p for p in paths if not p.endswith("{id}"))
        self._prefixes = tuple(p[: -len("{id}")] for p in paths if p.endswith("{id}"))

    def replace_state(self, state: GatewayState) -> GatewayState:
        return super().replace_state(self._traced(state))

    def _traced(self, state: GatewayState) -> GatewayState:
        if isinstance(state.dispatcher, TracedDispatcher):
            return state
        traced = TracedDispatcher(state.dispatcher, self.tracing.tracer)
        return dataclasses.replace(state, dispatcher=traced)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._traced_http(scope, receive, send)
        elif kind == "lifespan":
            await super().__call__(scope, receive, self._flush_before(send))
        else:
            await super().__call__(scope, receive, send)

    def _flush_before(self, send: Send) -> Send:
        async def on_lifespan(message: Message) -> None:
            if message["type"] == "lifespan.shutdown.complete":
                # Blocking export of the last batch: on a thread, the loop stays free.
                await asyncio.to_thread(self.tracing.shutdown)
            await send(message)

        return on_lifespan

    async def _traced_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = str(scope.get("method", "GET"))
        raw_path = str(scope.get("path", "/"))
        route = self._route_of(raw_path)
        carrier = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope["headers"]
            if name in _TRACE_HEADERS
        }
        parent = _PROPAGATOR.extract(carrier) if carrier else otel_context.Context()
        span = self.tracing.tracer.start_span(
            f"{method} {route}" if route else method,
            context=parent,
            kind=SpanKind.SERVER,
            attributes=_request_attributes(scope, method, raw_path, route),
        )
        status = [0]

        async def traced_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
                for name, value in message.get("headers", ()):
                    if name == b"x-request-id":
                        span.set_attribute("lockgate.request_id", value.decode("latin-1"))
            await send(message)

        token = otel_context.attach(trace.set_span_in_context(span, parent))
        try:
            await super().__call__(scope, receive, traced_send)
        finally:
            otel_context.detach(token)
            code = status[0]
            if code:
                span.set_attribute("http.response.status_code", code)
            if code >= 500:
                span.set_attribute("error.type", str(code))
                span.set_status(Status(StatusCode.ERROR, str(code)))
            elif code >= 400:
                span.set_attribute("error.type", str(code))
            span.end()

    def _route_of(self, raw_path: str) -> str | None:
        """The route template (bounded: never the caller's own path parameters)."""
        path = raw_path[3:] if raw_path.startswith("/v1/") else raw_path
        if len(path) > 1 and path.endswith("/"):
            path = path[:-1]
        v1 = "/v1" if raw_path.startswith("/v1/") else ""
        if path in self._exact:
            return v1 + path
        for prefix in self._prefixes:
            if path.startswith(prefix) and len(path) > len(prefix):
                return v1 + prefix + "{id}"
        return None


def _request_attributes(
    scope: Scope, method: str, raw_path: str, route: str | None
) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "http.request.method": method,
        "url.scheme": str(scope.get("scheme", "http")),
        "network.protocol.version": str(scope.get("http_version", "1.1")),
    }
    if route:  # an unmatched path is the caller's text: left out
        attributes["http.route"] = route
        attributes["url.path"] = raw_path
    server = scope.get("server")
    if server:
        attributes["server.address"] = str(server[0])
        if server[1] is not None:
            attributes["server.port"] = int(server[1])
    client = scope.get("client")
    if client:
        attributes["client.address"] = str(client[0])
    for name, value in scope["headers"]:
        if name == b"user-agent":
            attributes["user_agent.original"] = value.decode("latin-1")[:256]
            break
    return attributes
