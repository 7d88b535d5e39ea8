"""Health checks: one tiny real request per deployment, all at once.

Chat deployments get a one-token completion, ``mode: embedding`` ones an embedding of one
word, ``mode: completion`` ones a one-token text completion. Wildcard deployments are
skipped (there is no model name to ask for). Results do not change cooldowns: they report.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lockgate.client import Client
from lockgate.errors import LockgateError
from lockgate.router.deployment import Deployment

__all__ = ["EndpointHealth", "HealthReport", "check_deployments"]

_PING = "ping"


@dataclass(frozen=True, slots=True)
class EndpointHealth:
    model_name: str
    model: str
    model_id: str
    api_base: str | None
    healthy: bool
    latency_ms: float
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "model_name": self.model_name,
            "model": self.model,
            "model_id": self.model_id,
            "api_base": self.api_base,
            "latency_ms": round(self.latency_ms, 3),
        }
        if self.error is not None:
            out["error"] = self.error
        return out


@dataclass(frozen=True, slots=True)
class HealthReport:
    healthy: tuple[EndpointHealth, ...]
    unhealthy: tuple[EndpointHealth, ...]
    skipped: tuple[str, ...]  # ids of wildcard deployments

    def to_dict(self) -> dict[str, Any]:
        """LiteLLM's ``/health`` body."""
        return {
            "healthy_endpoints": [e.to_dict() for e in self.healthy],
            "unhealthy_endpoints": [e.to_dict() for e in self.unhealthy],
            "healthy_count": len(self.healthy),
            "unhealthy_count": len(self.unhealthy),
        }


async def _probe(client: Client, deployment: Deployment, probe_timeout: float) -> EndpointHealth:
    options = {**deployment.options, "timeout": probe_timeout, "num_retries": 0}
    mode = deployment.model_info.get("mode")
    started = time.perf_counter()
    error: str | None = None
    try:
        if mode == "embedding":
            await client.aembedding(deployment.model, _PING, **options)
        elif mode == "completion":
            await client.atext_completion(deployment.model, _PING, max_tokens=1, **options)
        else:
            messages = [{"role": "user", "content": _PING}]
            await client.acompletion(deployment.model, messages, max_tokens=1, **options)
    except LockgateError as failure:
        error = str(failure)
    except Exception as failure:  # a report must cover every deployment, whatever broke
        error = f"{type(failure).__name__} during the health check"
    return EndpointHealth(
        model_name=deployment.model_name,
        model=deployment.model,
        model_id=deployment.id,
        api_base=deployment.api_base,
        healthy=error is None,
        latency_ms=(time.perf_counter() - started) * 1000.0,
        error=error,
    )


async def check_deployments(
    client: Client, deployments: Iterable[Deployment], *, probe_timeout: float = 10.0
) -> HealthReport:
    every = tuple(deployments)
    targets = [d for d in every if not d.is_wildcard]
    skipped = tuple(d.id for d in every if d.is_wildcard)
    results = await asyncio.gather(*(_probe(client, d, probe_timeout) for d in targets))
    return HealthReport(
        healthy=tuple(r for r in results if r.healthy),
        unhealthy=tuple(r for r in results if not r.healthy),
        skipped=skipped,
    )
