"""Resolve the model a request names to a model group: exact name, alias, then wildcard."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from lockgate.router.deployment import Deployment
from lockgate.router.model_group import ModelGroup

__all__ = ["ModelGroups", "Route"]

_CACHE_LIMIT: Final = 4096


@dataclass(frozen=True, slots=True)
class Route:
    group: ModelGroup
    requested: str  # the name the request used (what a wildcard deployment fills in)


class ModelGroups:
    """Immutable after construction, apart from a bounded cache of resolved names."""

    def __init__(
        self,
        deployments: tuple[Deployment, ...],
        aliases: Mapping[str, str],
        hidden_aliases: frozenset[str] = frozenset(),
    ) -> None:
        members: dict[str, list[Deployment]] = {}
        for d in deployments:
            members.setdefault(d.model_name, []).append(d)
        self.groups: dict[str, ModelGroup] = {
            name: ModelGroup.build(name, tuple(ds)) for name, ds in members.items()
        }
        wildcards = [g for g in self.groups.values() if g.pattern is not None]
        self._wildcards = tuple(
            sorted(wildcards, key=lambda g: -g.pattern.specificity if g.pattern else 0)
        )
        self.aliases = dict(aliases)
        self.hidden_aliases = hidden_aliases
        for alias, target in self.aliases.items():
            if self._direct(target) is None:
                raise ValueError(f"model_group_alias {alias!r} names unknown model {target!r}")
        self._cache: dict[str, Route | None] = {}

    def _direct(self, model: str) -> Route | None:
        group = self.groups.get(model)
        if group is not None and group.pattern is None:
            return Route(group, model)
        for group in self._wildcards:
            assert group.pattern is not None
            if group.pattern.match(model) is not None:
                return Route(group, model)
        return None

    def resolve(self, model: str) -> Route | None:
        """The group serving ``model``, or None when no group does."""
        try:
            return self._cache[model]
        except KeyError:
            pass
        target = self.aliases.get(model)
        route = self._direct(model if target is None else target)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()  # names come from callers: keep the cache bounded
        self._cache[model] = route
        return route

    def names(self, *, include_aliases: bool = False) -> list[str]:
        names = list(self.groups)
        if include_aliases:
            names += [a for a in self.aliases if a not in self.hidden_aliases]
        return names
