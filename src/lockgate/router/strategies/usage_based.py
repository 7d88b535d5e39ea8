"""``usage-based-routing`` (and ``-v2``): stay under each deployment's rpm/tpm, and send
the request to the deployment that has used the fewest tokens this minute.

Requests are counted when they start (so concurrent picks see each other) and tokens when
they end; with Redis state the counts are shared by every instance. When every deployment
is at its limit the request fails with a 429 (retry after the minute turns), and the
group's fallbacks are tried. Both names behave the same way here.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from lockgate.router.model_group import ModelGroup
from lockgate.router.request import RequestContext
from lockgate.router.state.base import Needs, Snapshot
from lockgate.router.strategies.base import under_limits

__all__ = ["UsageBased"]


class UsageBased:
    needs = Needs(usage=True)

    def __init__(self, rng: random.Random, name: str = "usage-based-routing-v2") -> None:
        self._rng = rng
        self.name = name

    def admit(
        self, group: ModelGroup, candidates: list[int], snapshot: Snapshot, ctx: RequestContext
    ) -> list[int]:
        return under_limits(group, candidates, snapshot, ctx)

    def pick(
        self, group: ModelGroup, candidates: Sequence[int], snapshot: Snapshot, ctx: RequestContext
    ) -> int:
        tpm, rpm = snapshot.tpm, snapshot.rpm
        assert tpm is not None and rpm is not None
        least = min((tpm[i], rpm[i]) for i in candidates)
        quiet = [i for i in candidates if (tpm[i], rpm[i]) == least]
        return quiet[0] if len(quiet) == 1 else quiet[int(self._rng.random() * len(quiet))]
