"""Rules a key's settings must respect: what its caller may grant, and never more than its
team (or, for a personal key, its user) may have."""

from __future__ import annotations

from typing import Any

from lockgate.errors import BadRequestError, NotFoundError
from lockgate.gateway.auth import Principal
from lockgate.gateway.routes.admin.access import can_manage_key, deny, is_team_member
from lockgate.keys.access_cache import AccessCache
from lockgate.keys.records import Limits, ModelAccess

__all__ = ["check_key_owner", "check_within_parent"]

_CAPPED = ("max_budget", "tpm_limit", "rpm_limit", "max_parallel_requests")


def check_key_owner(
    cache: AccessCache, principal: Principal, user_id: str | None, team_id: str | None
) -> None:
    if team_id and team_id not in cache.teams:
        raise NotFoundError(f"team '{team_id}' does not exist", param="team_id")
    if user_id and principal.is_admin and user_id not in cache.users:
        raise NotFoundError(f"user '{user_id}' does not exist", param="user_id")
    if not can_manage_key(cache, principal, user_id, team_id):
        raise deny("manage keys of this user or team")
    if (
        team_id
        and user_id
        and not principal.is_admin
        and not is_team_member(cache, principal, team_id)
    ):
        raise deny("create keys for a team it is not a member of")


def check_within_parent(
    cache: AccessCache, values: dict[str, Any], user_id: str | None, team_id: str | None
) -> None:
    parent: tuple[str, Limits, ModelAccess] | None = None
    if team_id and team_id in cache.teams:
        team = cache.teams[team_id]
        parent = ("team", team.limits, team.models)
    elif user_id and user_id in cache.users:
        user = cache.users[user_id]
        parent = ("user", user.limits, user.models)
    if parent is None:
        return
    level, limits, models = parent
    if "models" in values and not models.covers(ModelAccess.of(values["models"])):
        raise BadRequestError(f"the key may only use models its {level} may use", param="models")
    for name in _CAPPED:
        cap = getattr(limits, name)
        if cap is None:
            continue
        asked = values.get(name)
        if asked is None or asked > cap:
            raise BadRequestError(
                f"'{name}' must be set and at most the {level}'s {name} ({cap})", param=name
            )
