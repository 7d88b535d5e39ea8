"""Which models a virtual key may use: those its own ``models`` allow, and its team's and
the team's organisation's (or, for a personal key, its user's). Admission and the model
listing both ask here, so a key is never shown a model it may not call."""

from __future__ import annotations

from collections.abc import Iterator

from lockgate.keys.access_cache import AccessCache
from lockgate.keys.records import KeyRecord, ModelAccess

__all__ = ["model_levels", "refusing_level"]


def _levels(cache: AccessCache, key: KeyRecord) -> Iterator[tuple[str, ModelAccess]]:
    yield "key", key.models
    team = cache.teams.get(key.team_id) if key.team_id else None
    if team is not None:
        yield "team", team.models
        org = cache.orgs.get(team.organization_id) if team.organization_id else None
        if org is not None:
            yield "organization", org.models
    elif key.user_id:
        user = cache.users.get(key.user_id)
        if user is not None:
            yield "user", user.models


def model_levels(cache: AccessCache, key: KeyRecord) -> list[tuple[str, ModelAccess]]:
    """(level, its ``models``) for every level that restricts this key."""
    return [(level, access) for level, access in _levels(cache, key) if not access.unrestricted]


def refusing_level(cache: AccessCache, key: KeyRecord, model: str) -> str | None:
    """The first level that does not allow ``model`` (None: every level allows it)."""
    for level, access in _levels(cache, key):
        if not access.allows(model):
            return level
    return None
