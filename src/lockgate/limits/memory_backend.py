"""Limits and budgets counted in this process (one gateway instance, no Redis).

Every method runs without awaiting anything, so a reservation is atomic on the event loop.
``reserve_now`` and ``settle_now`` are the same as plain calls: the request policy uses
them directly rather than through a coroutine per call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from lockgate.limits.buckets import Bucket, Verdict

__all__ = ["InMemoryLimitBackend"]


@dataclass(slots=True)
class _Scope:
    spent: dict[int, int] = field(default_factory=dict)  # window -> settled nano-USD
    reservations: dict[str, tuple[int, float]] = field(default_factory=dict)  # id -> (nano, expiry)
    reserved: int = 0
    minute: int = -1
    requests: int = 0
    tokens: int = 0
    # No reservation expires before this: until then purge() is one comparison, not a scan
    # of every request in flight (settled reservations leave it early, never late).
    earliest_expiry: float = float("inf")

    def purge(self, now: float) -> None:
        if now < self.earliest_expiry:
            return
        expired = [rid for rid, (_, until) in self.reservations.items() if until <= now]
        for rid in expired:
            amount, _ = self.reservations.pop(rid)
            self.reserved -= amount
        self.earliest_expiry = min(
            (until for _, until in self.reservations.values()), default=float("inf")
        )


class InMemoryLimitBackend:
    def __init__(self) -> None:
        self._scopes: dict[str, _Scope] = {}

    def _scope(self, name: str) -> _Scope:
        scope = self._scopes.get(name)
        if scope is None:
            scope = self._scopes[name] = _Scope()
        return scope

    async def reserve(
        self,
        buckets: Sequence[Bucket],
        reservation_id: str,
        cost_nano: int,
        tokens: int,
        now: float,
        hold_seconds: float,
    ) -> Verdict:
        return self.reserve_now(buckets, reservation_id, cost_nano, tokens, now, hold_seconds)

    async def settle(
        self,
        buckets: Sequence[Bucket],
        reservation_id: str,
        reserved_nano: int,
        actual_nano: int,
        token_delta: int,
        minute: int,
    ) -> None:
        self.settle_now(buckets, reservation_id, reserved_nano, actual_nano, token_delta, minute)

    def reserve_now(
        self,
        buckets: Sequence[Bucket],
        reservation_id: str,
        cost_nano: int,
        tokens: int,
        now: float,
        hold_seconds: float,
    ) -> Verdict:
        minute = int(now // 60)  # windows.minute_of
        known = self._scopes
        scopes: list[_Scope] = []
        for i, bucket in enumerate(buckets):
            scope = known.get(bucket.scope)
            if scope is None:
                scope = known[bucket.scope] = _Scope()
            if now >= scope.earliest_expiry:
                scope.purge(now)
            if bucket.parallel is not None and len(scope.reservations) >= bucket.parallel:
                return Verdict(False, i, "parallel")
            if scope.minute == minute:
                requests, used = scope.requests, scope.tokens
            else:  # nothing counted yet this minute
                requests = used = 0
            if bucket.rpm is not None and requests >= bucket.rpm:
                return Verdict(False, i, "rpm")
            if bucket.tpm is not None and used + tokens > bucket.tpm:
                return Verdict(False, i, "tpm")
            if bucket.budget_nano is not None:
                spent = scope.spent.get(bucket.window, 0)
                total = spent + scope.reserved
                if total >= bucket.budget_nano or total + cost_nano > bucket.budget_nano:
                    return Verdict(
                        False, i, "budget", spent_nano=spent, reserved_nano=scope.reserved
                    )
            scopes.append(scope)
        until = now + hold_seconds
        held = (cost_nano, until)
        requests_after: list[int] = []
        tokens_after: list[int] = []
        for scope in scopes:
            scope.reservations[reservation_id] = held
            scope.reserved += cost_nano
            if until < scope.earliest_expiry:
                scope.earliest_expiry = until
            if scope.minute == minute:
                scope.requests += 1
                scope.tokens += tokens
            else:
                scope.minute, scope.requests, scope.tokens = minute, 1, tokens
            requests_after.append(scope.requests)
            tokens_after.append(scope.tokens)
        return Verdict(True, -1, "", tuple(requests_after), tuple(tokens_after))

    def settle_now(
        self,
        buckets: Sequence[Bucket],
        reservation_id: str,
        reserved_nano: int,
        actual_nano: int,
        token_delta: int,
        minute: int,
    ) -> None:
        known = self._scopes
        for bucket in buckets:
            scope = known.get(bucket.scope)
            if scope is None:
                scope = known[bucket.scope] = _Scope()
            held = scope.reservations.pop(reservation_id, None)
            if held is not None:
                scope.reserved -= held[0]
            if actual_nano:
                spent = scope.spent
                window = bucket.window
                if window in spent:
                    spent[window] += actual_nano
                else:  # a new window: forget older ones
                    spent = scope.spent = {w: n for w, n in spent.items() if w > window}
                    spent[window] = spent.get(window, 0) + actual_nano
            if token_delta and scope.minute == minute:
                left = scope.tokens + token_delta
                scope.tokens = left if left > 0 else 0

    async def seed(self, windows: Sequence[tuple[str, int, int, float]]) -> None:
        for scope_name, window, nano, _ in windows:
            scope = self._scope(scope_name)
            scope.spent[window] = max(scope.spent.get(window, 0), nano)

    async def aclose(self) -> None:
        self._scopes.clear()
