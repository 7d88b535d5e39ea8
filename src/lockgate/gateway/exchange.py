"""One request/response exchange as the routes see it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from lockgate.gateway.asgi_types import Message, Receive, Send
from lockgate.gateway.http_request import HttpRequest
from lockgate.gateway.state import GatewayState

__all__ = ["Exchange"]


@dataclass(slots=True)
class Exchange:
    request: HttpRequest
    receive: Receive
    raw_send: Send
    state: GatewayState
    # What happened, for metrics and the access log.
    status: int = 0
    response_started: bool = False
    deployment: str = ""
    provider_seconds: float = 0.0
    ttft_seconds: float | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = None
    error_class: str | None = None
    extra_log: dict[str, Any] = field(default_factory=dict)
    cached_tokens: int = 0
    # The caller's x-ratelimit-* headers, set when limits were checked (on 429s too).
    rate_limit_headers: dict[str, str] = field(default_factory=dict)

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.response_started = True
            self.status = int(message["status"])
        await self.raw_send(message)

    def elapsed(self) -> float:
        return time.perf_counter() - self.request.started

    def response_headers(self) -> dict[str, str]:
        """x-request-id, the gateway's own time so far (excluding the provider's), the
        caller's x-ratelimit-* headers and, once usage was noted (answers sent whole, not
        streams), LiteLLM's x-litellm-response-cost and x-litellm-model-id."""
        overhead = time.perf_counter() - self.request.started - self.provider_seconds
        headers = {
            "x-request-id": self.request.request_id,
            "x-lockgate-overhead-ms": f"{overhead * 1000 if overhead > 0.0 else 0.0:.3f}",
        }
        if self.rate_limit_headers:
            headers.update(self.rate_limit_headers)
        if self.cost is not None:
            headers["x-litellm-response-cost"] = repr(self.cost)
        if self.deployment:
            headers["x-litellm-model-id"] = self.deployment
        return headers

    def note_usage(self, usage: Any, hidden: dict[str, Any]) -> None:
        if usage is not None:
            self.prompt_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
            self.completion_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
            self.cached_tokens = int(getattr(usage, "cached_tokens", 0) or 0)
        cost = hidden.get("response_cost")
        self.cost = float(cost) if cost is not None else None
        deployment = hidden.get("model_id") or hidden.get("deployment")
        if deployment:
            self.deployment = str(deployment)
        latency_ms = hidden.get("provider_latency_ms")
        if latency_ms is not None:
            self.provider_seconds = float(latency_ms) / 1000.0
