"""One request/response exchange as the routes see it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from lockgate.gateway.asgi_types import Message, Receive, Send
from lockgate.gateway.http_request import HttpRequest
from lockgate.gateway.state import GatewayState

__all__ = ["Exchange"]

_JSON = (b"content-type", b"application/json")


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
    cached_tokens: int = 0
    # The caller's x-ratelimit-* headers, set when limits were checked (on 429s too).
    rate_limit_headers: dict[str, str] = field(default_factory=dict)

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.response_started = True
            self.status = int(message["status"])
        await self.raw_send(message)

    async def send_answer(self, status: int, body: bytes) -> None:
        """A whole JSON answer with :meth:`response_headers`: what ``send_bytes(self.send,
        status, body, self.response_headers())`` sends, with less work on the way (this is
        every non-stream answer)."""
        self.response_started = True
        self.status = status
        fields = [_JSON, (b"content-length", b"%d" % len(body)), *self.response_fields()]
        raw_send = self.raw_send
        await raw_send({"type": "http.response.start", "status": status, "headers": fields})
        await raw_send({"type": "http.response.body", "body": body})

    def elapsed(self) -> float:
        return time.perf_counter() - self.request.started

    def response_headers(self) -> dict[str, str]:
        """:meth:`response_fields` as a dict."""
        return {k.decode("latin-1"): v.decode("latin-1") for k, v in self.response_fields()}

    def response_fields(self) -> list[tuple[bytes, bytes]]:
        """The gateway's response headers, as ASGI header fields: x-request-id, the
        gateway's own time so far (excluding the provider's), the caller's x-ratelimit-*
        headers and, once usage was noted (answers sent whole, not streams), LiteLLM's
        x-litellm-response-cost and x-litellm-model-id."""
        overhead = time.perf_counter() - self.request.started - self.provider_seconds
        fields = [
            (b"x-request-id", self.request.request_id.encode("latin-1")),
            (b"x-lockgate-overhead-ms", b"%.3f" % (overhead * 1000 if overhead > 0.0 else 0.0)),
        ]
        if self.rate_limit_headers:
            fields += [
                (k.encode("latin-1"), v.encode("latin-1"))
                for k, v in self.rate_limit_headers.items()
            ]
        if self.cost is not None:
            fields.append((b"x-litellm-response-cost", repr(self.cost).encode("latin-1")))
        if self.deployment:
            fields.append((b"x-litellm-model-id", self.deployment.encode("latin-1")))
        return fields

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
