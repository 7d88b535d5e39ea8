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
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from lockgate.errors import LockgateError
from lockgate.gateway.auth import Principal
from lockgate.gateway.exchange import Exchange
from lockgate.limits.buckets import to_nano
from lockgate.limits.request_policy import Admission
from lockgate.spend.record import SpendRecord

__all__ = ["Admitted", "admitted"]

_log = logging.getLogger(__name__)


def admitted(
    exchange: Exchange, route: str, body: Mapping[str, Any], model: str | None = None
) -> Admitted:
    """The stage as an ``async with`` block, which gives the model to dispatch. ``model``
    defaults to ``body["model"]``."""
    return Admitted(exchange, route, body, model)


class Admitted:
    """An async context manager written out rather than through ``asynccontextmanager``
    (its generator and wrapper cost about three times as much, on every model request)."""

    __slots__ = ("_admission", "_body", "_exchange", "_model", "_payload", "_route")

    def __init__(
        self, exchange: Exchange, route: str, body: Mapping[str, Any], model: str | None
    ) -> None:
        self._exchange = exchange
        self._route = route
        self._body = body
        self._model = model
        self._admission: Admission | None = None
        self._payload: Any = None

    async def __aenter__(self) -> str:
        body, exchange = self._body, self._exchange
        requested = self._model if self._model is not None else str(body.get("model", ""))
        state = exchange.state
        policy = state.request_policy
        principal = exchange.request.principal
        if policy is None or not isinstance(principal, Principal):
            return requested
        admission = await policy.admit(
            principal, requested, self._route, body, exchange.rate_limit_headers
        )
        control = state.control
        self._payload = dict(body) if control is not None and control.log_payloads else None
        self._admission = admission
        return admission.model

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        admission = self._admission
        if admission is None:
            return
        self._admission = None
        if error is None:
            status = 0
        elif isinstance(error, LockgateError):
            status = error.status_code
        elif isinstance(error, asyncio.CancelledError):
            status = 499
        elif isinstance(error, Exception):
            status = 500
        else:
            status = 0
        exchange = self._exchange
        status = status or exchange.status or 500
        # The reservation settled and the spend record queued, here rather than in a
        # coroutine of its own (one less per request).
        state = exchange.state
        policy, control = state.request_policy, state.control
        assert policy is not None
        try:
            if policy.in_process or not admission.buckets:  # no coroutine needed
                cost = policy.settle_now(
                    admission, exchange.prompt_tokens, exchange.completion_tokens, exchange.cost
                )
            else:
                cost = await policy.settle(
                    admission,
                    prompt_tokens=exchange.prompt_tokens,
                    completion_tokens=exchange.completion_tokens,
                    cost=exchange.cost,
                )
        except Exception as failure:  # the reservation expires; the spend is still logged
            _log.warning("settling a reservation failed: %s", type(failure).__name__)
            cost = exchange.cost or 0.0
        if exchange.cost is None and cost:
            exchange.cost = cost  # priced from the config: metrics show it too
        if control is None or not control.spend_enabled:
            return
        principal = admission.principal
        elapsed = exchange.elapsed()
        # Positional: keywords cost as much again as the rest of the record. The start as
        # integer microseconds costs a fifth of a datetime, and the writer formats it cheaper.
        control.spend.record(
            SpendRecord(
                exchange.request.request_id,
                int((time.time() - elapsed) * 1_000_000),  # started_at
                self._route,
                principal.key_id,
                principal.user_id or "",
                principal.team_id or "",
                principal.organization_id or "",
                admission.end_user,
                admission.requested_model,  # model
                admission.model,  # model_group
                exchange.deployment,
                exchange.prompt_tokens,
                exchange.completion_tokens,
                exchange.cached_tokens,
                cost,  # spend
                elapsed * 1000.0,  # latency_ms
                status,
                admission.tags,
                self._payload,  # request_body
                admission.budget_windows(to_nano(cost)) if cost else (),
            )
        )
