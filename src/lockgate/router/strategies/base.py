"""The interface of a routing strategy, and the rpm/tpm check the usage strategies share."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Protocol

from lockgate.errors import RateLimitError
from lockgate.router.model_group import ModelGroup
from lockgate.router.request import RequestContext
from lockgate.router.state.base import Needs, Snapshot

__all__ = ["Strategy", "under_limits"]


class Strategy(Protocol):
    """Chooses among deployments that are up. Candidates are indices into the group."""

    name: str
    needs: Needs

    def admit(
        self, group: ModelGroup, candidates: list[int], snapshot: Snapshot, ctx: RequestContext
    ) -> list[int]:
        """The candidates this strategy may use (it may raise when none may be used)."""
        ...

    def pick(
        self,
        group: ModelGroup,
        candidates: Sequence[int],
        snapshot: Snapshot,
        ctx: RequestContext,
    ) -> int:
        """One of ``candidates`` (at least two are given)."""
        ...


def under_limits(
    group: ModelGroup, candidates: list[int], snapshot: Snapshot, ctx: RequestContext
) -> list[int]:
    """Candidates with room for one more request and this prompt's tokens this minute.

    Raises RateLimitError (retry after the minute turns) when every candidate is full.
    """
    rpm, tpm = snapshot.rpm, snapshot.tpm
    assert rpm is not None and tpm is not None
    deployments = group.deployments
    kept: list[int] = []
    tokens = -1
    for i in candidates:
        d = deployments[i]
        if d.rpm is not None and rpm[i] + 1 > d.rpm:
            continue
        if d.tpm is not None:
            if tokens < 0:
                tokens = ctx.estimated_tokens
            if tpm[i] + tokens > d.tpm:
                continue
        kept.append(i)
    if not kept:
        raise RateLimitError(
            f"every deployment of model group {group.name!r} is at its rpm/tpm limit",
            model=group.name,
            retry_after=max(1.0, 60.0 - time.time() % 60.0),
        )
    return kept
