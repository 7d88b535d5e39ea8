"""The limits-and-budget stage of a model route, shared by every route that dispatches:

    async with admitted(exchange, "chat", body) as model:
        ... dispatch ``model`` (the key's alias resolved) and send the answer ...

Before the block: the caller's model access, rate limits and budgets are checked and the
worst-case cost reserved (429/403 otherwise). After it, whatever happened: the reservation
is settled to the actual cost and the request's spend record is queued for the batch writer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from lockgate.errors import LockgateError
from lockgate.gateway.auth import Principal
from lockgate.gateway.exchange import Exchange
from lockgate.limits.buckets import to_nano
from lockgate.limits.request_policy import Admission
from lockgate.spend.record import SpendRecord

__all__ = ["admitted"]

_log = logging.getLogger(__name__)


@asynccontextmanager
async def admitted(
    exchange: Exchange, route: str, body: Mapping[str, Any], model: str | None = None
) -> AsyncIterator[str]:
    """Yields the model to dispatch. ``model`` defaults to ``body["model"]``."""
    requested = model if model is not None else str(body.get("model", ""))
    state = exchange.state
    policy = state.request_policy
    principal = exchange.request.principal
    if policy is None or not isinstance(principal, Principal):
        yield requested
        return
    admission = await policy.admit(principal, requested, route, body, exchange.rate_limit_headers)
    payload = dict(body) if state.control is not None and state.control.log_payloads else None
    status = 0
    try:
        yield admission.model
    except LockgateError as error:
        status = error.status_code
        raise
    except asyncio.CancelledError:
        status = 499
        raise
    except Exception:
        status = 500
        raise
    finally:
        await _finish(exchange, admission, route, status or exchange.status or 500, payload)


async def _finish(
    exchange: Exchange, admission: Admission, route: str, status: int, payload: Any
) -> None:
    state = exchange.state
    policy, control = state.request_policy, state.control
    assert policy is not None
    try:
        cost = await policy.settle(
            admission,
            prompt_tokens=exchange.prompt_tokens,
            completion_tokens=exchange.completion_tokens,
            cost=exchange.cost,
        )
    except Exception as error:  # the reservation expires by itself; the spend is still logged
        _log.warning("settling a reservation failed: %s", type(error).__name__)
        cost = exchange.cost or 0.0
    if exchange.cost is None and cost:
        exchange.cost = cost  # priced from the config: metrics show it too
    if control is None or not control.spend_enabled:
        return
    principal = admission.principal
    elapsed = exchange.elapsed()
    control.spend.record(
        SpendRecord(
            request_id=exchange.request.request_id,
            started_at=datetime.now(UTC) - timedelta(seconds=elapsed),
            route=route,
            key_id=principal.key_id,
            user_id=principal.user_id or "",
            team_id=principal.team_id or "",
            organization_id=principal.organization_id or "",
            end_user=admission.end_user,
            model=admission.requested_model,
            model_group=admission.model,
            deployment=exchange.deployment,
            prompt_tokens=exchange.prompt_tokens,
            completion_tokens=exchange.completion_tokens,
            cached_tokens=exchange.cached_tokens,
            spend=cost,
            latency_ms=elapsed * 1000.0,
            status=status,
            tags=admission.tags,
            request_body=payload,
            windows=admission.budget_windows(to_nano(cost)) if cost else (),
        )
    )
