"""Who may manage what, beyond a route's policy: proxy admins manage everything; team admins
their team's keys and members; internal users their own keys; viewers only read."""

from __future__ import annotations

from lockgate.errors import PermissionDeniedError
from lockgate.gateway.auth import Principal
from lockgate.keys.access_cache import AccessCache
from lockgate.keys.roles import INTERNAL_USER

__all__ = [
    "can_manage_key",
    "can_view_key",
    "deny",
    "is_team_admin",
    "is_team_member",
    "require_writer",
]


def deny(what: str) -> PermissionDeniedError:
    return PermissionDeniedError(f"this key may not {what}", code="forbidden")


def require_writer(principal: Principal, what: str) -> None:
    """Viewers and keys without a user may not change anything."""
    if not principal.is_admin and principal.role != INTERNAL_USER:
        raise deny(what)


def is_team_admin(cache: AccessCache, principal: Principal, team_id: str | None) -> bool:
    if principal.is_admin:
        return True
    if not team_id or not principal.user_id or principal.role != INTERNAL_USER:
        return False
    team = cache.teams.get(team_id)
    return team is not None and principal.user_id in team.admins


def is_team_member(cache: AccessCache, principal: Principal, team_id: str) -> bool:
    team = cache.teams.get(team_id)
    return team is not None and principal.user_id is not None and principal.user_id in team.members


def can_manage_key(
    cache: AccessCache, principal: Principal, user_id: str | None, team_id: str | None
) -> bool:
    if principal.is_admin:
        return True
    if principal.role != INTERNAL_USER:
        return False
    if team_id:
        return is_team_admin(cache, principal, team_id) or (
            user_id is not None and user_id == principal.user_id
        )
    return user_id is not None and user_id == principal.user_id


def can_view_key(
    cache: AccessCache, principal: Principal, key_id: str, user_id: str | None, team_id: str | None
) -> bool:
    if principal.can_view_all or key_id == principal.key_id:
        return True
    if principal.user_id and user_id == principal.user_id:
        return True
    return bool(team_id) and is_team_admin(cache, principal, team_id)
