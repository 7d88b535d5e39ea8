"""What the hot path knows about keys, teams, users, organisations and end users: frozen
snapshots of the store's rows, held in memory (see :mod:`lockgate.keys.access_cache`)."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from lockgate.store.access_tables import (
    BudgetRow,
    EndUserRow,
    KeyRow,
    OrganizationRow,
    TeamRow,
    UserRow,
)

__all__ = [
    "ALL_MODELS",
    "EndUserRecord",
    "KeyRecord",
    "Limits",
    "ModelAccess",
    "OrgRecord",
    "TeamRecord",
    "UserRecord",
]

# LiteLLM's special entries of a ``models`` list meaning "no restriction at this level".
ALL_MODELS: Final = frozenset({"all-proxy-models", "all-team-models", "*"})


@dataclass(frozen=True, slots=True)
class Limits:
    max_budget: float | None = None
    soft_budget: float | None = None
    budget_duration: str | None = None
    tpm_limit: int | None = None
    rpm_limit: int | None = None
    max_parallel_requests: int | None = None

    @property
    def any(self) -> bool:
        return (
            self.max_budget is not None
            or self.tpm_limit is not None
            or self.rpm_limit is not None
            or self.max_parallel_requests is not None
        )

    @classmethod
    def of(cls, row: Any) -> Limits:
        return cls(
            max_budget=row.max_budget,
            soft_budget=row.soft_budget,
            budget_duration=row.budget_duration,
            tpm_limit=row.tpm_limit,
            rpm_limit=row.rpm_limit,
            max_parallel_requests=row.max_parallel_requests,
        )


@dataclass(frozen=True, slots=True)
class ModelAccess:
    """A ``models`` list: empty (or an "all" entry) allows every model."""

    exact: frozenset[str] = frozenset()
    patterns: tuple[str, ...] = ()
    unrestricted: bool = True

    @classmethod
    def of(cls, models: Iterable[str] | None) -> ModelAccess:
        names = [m for m in (models or ()) if isinstance(m, str)]
        if not names or ALL_MODELS.intersection(names):
            return cls()
        patterns = tuple(m for m in names if "*" in m)
        return cls(frozenset(m for m in names if "*" not in m), patterns, False)

    def allows(self, model: str) -> bool:
        if self.unrestricted or model in self.exact:
            return True
        return any(fnmatch.fnmatchcase(model, p) for p in self.patterns)

    def covers(self, other: ModelAccess) -> bool:
        """Whether every model ``other`` allows is allowed here (for key generation)."""
        if self.unrestricted:
            return True
        if other.unrestricted:
            return False
        return all(self.allows(m) for m in other.exact) and all(
            p in self.patterns for p in other.patterns
        )


def _frozen_map(value: Mapping[str, Any] | None) -> MappingProxyType[str, Any]:
    return MappingProxyType(dict(value or {}))


@dataclass(frozen=True, slots=True)
class KeyRecord:
    id: str
    digest: str
    key_alias: str | None
    user_id: str | None
    team_id: str | None
    organization_id: str | None
    models: ModelAccess
    aliases: MappingProxyType[str, str]
    tags: tuple[str, ...]
    limits: Limits
    model_rpm_limit: MappingProxyType[str, int]
    model_tpm_limit: MappingProxyType[str, int]
    expires: float | None  # epoch seconds
    blocked: bool
    metadata: MappingProxyType[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def of(cls, row: KeyRow) -> KeyRecord:
        return cls(
            id=row.id,
            digest=row.digest,
            key_alias=row.key_alias,
            user_id=row.user_id,
            team_id=row.team_id,
            organization_id=row.organization_id,
            models=ModelAccess.of(row.models),
            aliases=_frozen_map(row.aliases),
            tags=tuple(t for t in row.tags or () if isinstance(t, str)),
            limits=Limits.of(row),
            model_rpm_limit=_frozen_map(row.model_rpm_limit),
            model_tpm_limit=_frozen_map(row.model_tpm_limit),
            expires=row.expires.timestamp() if row.expires is not None else None,
            blocked=bool(row.blocked),
            metadata=_frozen_map(row.metadata_),
        )


@dataclass(frozen=True, slots=True)
class TeamRecord:
    id: str
    alias: str | None
    organization_id: str | None
    models: ModelAccess
    limits: Limits
    blocked: bool
    admins: frozenset[str]
    members: frozenset[str]

    @classmethod
    def of(cls, row: TeamRow, admins: Iterable[str], members: Iterable[str]) -> TeamRecord:
        return cls(
            id=row.id,
            alias=row.alias,
            organization_id=row.organization_id,
            models=ModelAccess.of(row.models),
            limits=Limits.of(row),
            blocked=bool(row.blocked),
            admins=frozenset(admins),
            members=frozenset(members),
        )


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: str
    role: str
    organization_id: str | None
    models: ModelAccess
    limits: Limits

    @classmethod
    def of(cls, row: UserRow) -> UserRecord:
        return cls(
            id=row.id,
            role=row.role,
            organization_id=row.organization_id,
            models=ModelAccess.of(row.models),
            limits=Limits.of(row),
        )


@dataclass(frozen=True, slots=True)
class OrgRecord:
    id: str
    alias: str | None
    models: ModelAccess
    limits: Limits

    @classmethod
    def of(cls, row: OrganizationRow) -> OrgRecord:
        return cls(
            id=row.id, alias=row.alias, models=ModelAccess.of(row.models), limits=Limits.of(row)
        )


@dataclass(frozen=True, slots=True)
class EndUserRecord:
    """An end user; ``limits`` are those of the budget it references (``budget_id``)."""

    id: str
    blocked: bool
    limits: Limits
    alias: str | None = None
    budget_id: str | None = None

    @classmethod
    def of(cls, row: EndUserRow, budget: BudgetRow | None) -> EndUserRecord:
        limits = Limits.of(budget) if budget is not None else Limits()
        return cls(
            id=row.id,
            blocked=bool(row.blocked),
            limits=limits,
            alias=row.alias,
            budget_id=row.budget_id,
        )
