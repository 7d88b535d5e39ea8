"""Liveness, readiness, upstream health (admin) and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from lockgate.gateway.exchange import Exchange
from lockgate.gateway.http_response import send_bytes, send_json
from lockgate.observability.metrics import CONTENT_TYPE_LATEST, GatewayMetrics

__all__ = ["health", "liveliness", "make_metrics_route", "readiness"]


async def liveliness(exchange: Exchange) -> None:
    await send_json(exchange.send, 200, {"status": "healthy"})


async def readiness(exchange: Exchange) -> None:
    await send_json(
        exchange.send,
        200,
        {"status": "healthy", "models": len(exchange.state.model_names)},
    )


async def health(exchange: Exchange) -> None:
    """Runs a tiny request against every deployment (the router's health check)."""
    checker: Any = getattr(exchange.state.dispatcher, "health_check", None)
    if checker is None:
        await send_json(exchange.send, 200, {"healthy_endpoints": [], "unhealthy_endpoints": []})
        return
    report = await checker()
    payload = report.to_dict() if hasattr(report, "to_dict") else report
    await send_json(exchange.send, 200, payload, exchange.response_headers())


def make_metrics_route(metrics: GatewayMetrics) -> Any:
    async def metrics_route(exchange: Exchange) -> None:
        await send_bytes(
            exchange.send,
            200,
            metrics.render(),
            content_type=(b"content-type", CONTENT_TYPE_LATEST.encode()),
        )

    return metrics_route
