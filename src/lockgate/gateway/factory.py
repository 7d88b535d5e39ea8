"""Assemble the gateway: the route table with each route's policy, metrics and logs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lockgate.gateway.app import GatewayApp, default_error_renderer
from lockgate.gateway.auth import RoutePolicy
from lockgate.gateway.exchange import Exchange
from lockgate.gateway.routes import admin, chat, embeddings, health, models
from lockgate.gateway.routing_table import ErrorShape, Route, RouteTable
from lockgate.gateway.state import GatewayState
from lockgate.observability import AccessLog, GatewayMetrics

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import SpanProcessor

__all__ = ["build_routes", "create_app"]

_POST = frozenset({"POST"})
_GET = frozenset({"GET", "HEAD"})


def build_routes(metrics: GatewayMetrics) -> RouteTable:
    caller, admin_only, public = RoutePolicy.CALLER, RoutePolicy.ADMIN, RoutePolicy.PUBLIC
    exact = {
        "/chat/completions": Route("chat", _POST, caller, chat.chat_completions, reads_body=True),
        "/completions": Route("completions", _POST, caller, chat.text_completions, reads_body=True),
        "/embeddings": Route("embeddings", _POST, caller, embeddings.embeddings, reads_body=True),
        "/models": Route("models", _GET, caller, models.list_models),
        "/health/liveliness": Route("liveliness", _GET, public, health.liveliness),
        "/health/liveness": Route("liveliness", _GET, public, health.liveliness),
        "/health/readiness": Route("readiness", _GET, public, health.readiness),
        "/health": Route("health", _GET, admin_only, health.health),
        "/metrics": Route("metrics", _GET, admin_only, health.make_metrics_route(metrics)),
        "/openapi.json": Route("openapi", _GET, public, _openapi),
    }
    exact.update(_anthropic_routes(caller))
    exact.update(_passthrough_routes(caller))
    exact.update(admin.admin_routes())
    prefixes = {"/models/": Route("model", _GET, caller, models.retrieve_model)}
    prefixes.update(admin.admin_prefix_routes())
    return RouteTable(exact, prefixes)


async def _openapi(exchange: Exchange) -> None:
    # Imported on the first request for the document: a large module serving never needs.
    from lockgate.gateway.openapi import openapi_route

    await openapi_route(exchange)


def _anthropic_routes(caller: RoutePolicy) -> dict[str, Route]:
    from lockgate.gateway.routes import anthropic_messages

    return {
        "/messages": Route(
            "messages",
            _POST,
            caller,
            anthropic_messages.messages,
            ErrorShape.ANTHROPIC,
            reads_body=True,
        ),
        "/messages/count_tokens": Route(
            "count_tokens",
            _POST,
            caller,
            anthropic_messages.count_tokens,
            ErrorShape.ANTHROPIC,
            reads_body=True,
        ),
    }


def _passthrough_routes(caller: RoutePolicy) -> dict[str, Route]:
    from lockgate.gateway.routes import passthrough

    return {
        path: Route(name, _POST, caller, passthrough.handler_for(path), reads_body=True)
        for path, name in passthrough.ENDPOINTS.items()
    }


def create_app(
    state: GatewayState,
    *,
    metrics: GatewayMetrics | None = None,
    access_log: AccessLog | None = None,
    span_processors: Sequence[SpanProcessor] | None = None,
) -> GatewayApp:
    """The app for ``state``; with tracing on in its config (``callbacks: [otel]``), the
    traced app, exporting as configured (or to ``span_processors``: tests)."""
    from lockgate.gateway.routes.anthropic_messages import render_anthropic_error

    metrics = metrics or GatewayMetrics()
    parts: dict[str, Any] = {
        "metrics": metrics,
        "access_log": access_log or AccessLog(),
        "error_renderers": {
            ErrorShape.OPENAI: default_error_renderer,
            ErrorShape.ANTHROPIC: render_anthropic_error,
        },
    }
    if state.config.lockgate.tracing.enabled:  # decided once: off costs nothing per request
        app: GatewayApp = _traced_app(state, build_routes(metrics), parts, span_processors)
    else:
        app = GatewayApp(state, build_routes(metrics), **parts)
    if state.control is not None:  # deployments added through the API rebuild the state
        state.control.serve(app)
    return app


def _traced_app(
    state: GatewayState,
    routes: RouteTable,
    parts: dict[str, Any],
    span_processors: Sequence[SpanProcessor] | None,
) -> GatewayApp:
    # Imported here: a gateway without tracing never loads opentelemetry.
    from lockgate.observability.tracing import build_tracing

    tracing = build_tracing(state.config.lockgate.tracing, span_processors)
    from lockgate.gateway.traced_app import TracedGatewayApp

    return TracedGatewayApp(state, routes, tracing=tracing, **parts)
