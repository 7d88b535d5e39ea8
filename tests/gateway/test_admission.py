"""The admission stage around a model route (``admitted``): what the block gets, the status
its spend record carries however the block ends, and the reservation always settled."""

from __future__ import annotations

import asyncio
from types import MappingProxyType, SimpleNamespace
from typing import Any

import pytest

from lockgate.errors import BadRequestError, RateLimitError
from lockgate.gateway.admission import admitted
from lockgate.gateway.auth import Principal
from lockgate.keys.access_cache import AccessCache
from lockgate.keys.records import KeyRecord, Limits, ModelAccess
from lockgate.limits import InMemoryLimitBackend, ModelPrice, PriceBook, RequestPolicy
from lockgate.spend.record import SpendRecord

BODY = {"model": "fast", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 10}
PRINCIPAL = Principal(key_id="k1", is_admin=False, team_id="t1", virtual=True)


class Spend:
    def __init__(self) -> None:
        self.records: list[SpendRecord] = []

    def record(self, record: SpendRecord) -> None:
        self.records.append(record)


def setup(rpm: int = 100) -> tuple[Any, Spend, InMemoryLimitBackend]:
    cache = AccessCache()
    cache.put_key(
        KeyRecord(
            id="k1",
            digest="d",
            key_alias=None,
            user_id=None,
            team_id="t1",
            organization_id=None,
            models=ModelAccess(),
            aliases=MappingProxyType({"fast": "m"}),
            tags=("a-tag",),
            limits=Limits(max_budget=1.0, rpm_limit=rpm),
            model_rpm_limit=MappingProxyType({}),
            model_tpm_limit=MappingProxyType({}),
            expires=None,
            blocked=False,
        )
    )
    backend = InMemoryLimitBackend()
    policy = RequestPolicy(
        cache, backend, PriceBook({"m": ModelPrice(1e-6, 2e-6)}), hold_seconds=60.0
    )
    spend = Spend()
    control = SimpleNamespace(spend_enabled=True, log_payloads=True, spend=spend)
    exchange = SimpleNamespace(
        state=SimpleNamespace(request_policy=policy, control=control),
        request=SimpleNamespace(principal=PRINCIPAL, request_id="req-1"),
        rate_limit_headers={},
        status=0,
        deployment="dep-1",
        prompt_tokens=0,
        completion_tokens=0,
        cached_tokens=0,
        cost=None,
        elapsed=lambda: 0.25,
    )
    return exchange, spend, backend


async def test_a_finished_block_settles_and_records_its_spend() -> None:
    exchange, spend, backend = setup()
    async with admitted(exchange, "chat", BODY) as model:
        assert model == "m"  # the key's alias
        assert exchange.rate_limit_headers["x-ratelimit-remaining-requests"] == "99"
        exchange.status, exchange.prompt_tokens, exchange.completion_tokens = 200, 3, 4
    [record] = spend.records
    assert record.status == 200 and record.key_id == "k1" and record.team_id == "t1"
    assert (record.model, record.model_group, record.deployment) == ("fast", "m", "dep-1")
    assert record.spend == pytest.approx(3e-6 + 8e-6) and exchange.cost == record.spend
    assert record.windows == (("key:k1", 0, 11_000),)
    assert record.tags == ("a-tag",) and record.request_body == BODY
    assert record.latency_ms == pytest.approx(250.0)
    assert backend._scopes["key:k1"].reservations == {}  # the reservation was settled


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (BadRequestError("bad", code="x"), 400),
        (asyncio.CancelledError(), 499),
        (ValueError("boom"), 500),
    ],
)
async def test_the_status_recorded_when_the_block_fails(error: BaseException, status: int) -> None:
    exchange, spend, backend = setup()
    with pytest.raises(type(error)):
        async with admitted(exchange, "chat", BODY):
            raise error
    assert [r.status for r in spend.records] == [status]
    assert [r.spend for r in spend.records] == [0.0] and spend.records[0].windows == ()
    assert backend._scopes["key:k1"].reservations == {}


async def test_a_refused_request_records_nothing() -> None:
    exchange, spend, _ = setup(rpm=0)
    with pytest.raises(RateLimitError):
        async with admitted(exchange, "chat", BODY):
            pytest.fail("the block must not run")
    assert spend.records == []
    assert exchange.rate_limit_headers["x-ratelimit-remaining-requests"] == "0"


async def test_without_limits_the_block_gets_the_model_asked_for() -> None:
    exchange, spend, _ = setup()
    exchange.state.request_policy = None
    async with admitted(exchange, "chat", BODY, model="other") as model:
        assert model == "other"
    assert spend.records == []
