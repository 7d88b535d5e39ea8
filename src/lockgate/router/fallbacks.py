"""Which model groups to try when a group has failed a request.

``context_window_fallbacks`` answer a context-window error (raised by the provider, or by
the pre-call check when the prompt fits no deployment), ``content_policy_fallbacks`` a
content-policy refusal; when the table for that error has no entry for the group, the
general ``fallbacks`` apply, then ``default_fallbacks``. A key ``"*"`` is the entry for
every group. Any other 400 is the caller's to fix: no fallback. A call's own
``fallbacks=[...]`` replaces the configured general list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from lockgate.errors import (
    BadRequestError,
    BudgetExceededError,
    ContentPolicyViolationError,
    ContextWindowExceededError,
    LockgateError,
    UnprocessableEntityError,
)

__all__ = ["FallbackTable"]

Table = Mapping[str, tuple[str, ...]]


def _empty() -> Table:
    return MappingProxyType({})


def _entry(table: Table, group: str) -> tuple[str, ...] | None:
    found = table.get(group)
    return found if found is not None else table.get("*")


@dataclass(frozen=True, slots=True)
class FallbackTable:
    fallbacks: Table = field(default_factory=_empty)
    context_window: Table = field(default_factory=_empty)
    content_policy: Table = field(default_factory=_empty)
    default: tuple[str, ...] = ()
    max_fallbacks: int = 5

    def after(
        self, group: str, error: LockgateError, requested: Sequence[str] | None = None
    ) -> tuple[str, ...]:
        """The groups to try, in order, after ``group`` failed with ``error``."""
        if isinstance(error, BudgetExceededError):
            return ()
        found: tuple[str, ...] | None = None
        if isinstance(error, ContextWindowExceededError):
            found = _entry(self.context_window, group)
        elif isinstance(error, ContentPolicyViolationError):
            found = _entry(self.content_policy, group)
        elif isinstance(error, BadRequestError | UnprocessableEntityError):
            return ()
        if found is None:
            found = tuple(requested) if requested is not None else _entry(self.fallbacks, group)
        if found is None:
            found = self.default
        return tuple(g for g in found if g != group)[: self.max_fallbacks]

    def can_fall_back(self, group: str) -> bool:
        """Whether :meth:`after` (with no ``requested`` list) names a group for some error
        of ``group``; False: a failure of ``group`` is final."""
        general = _entry(self.fallbacks, group)
        candidates = (
            _entry(self.context_window, group),
            _entry(self.content_policy, group),
            general if general is not None else self.default,
        )
        return any(
            tuple(g for g in found if g != group)[: self.max_fallbacks]
            for found in candidates
            if found is not None
        )
