"""User roles (LiteLLM's names) and what each may do."""

from __future__ import annotations

from typing import Final

from lockgate.gateway.auth import PROXY_ADMIN, PROXY_ADMIN_VIEWER

__all__ = [
    "INTERNAL_USER",
    "INTERNAL_USER_VIEWER",
    "PROXY_ADMIN",
    "PROXY_ADMIN_VIEWER",
    "TEAM_ADMIN",
    "TEAM_MEMBER",
    "USER_ROLES",
]

INTERNAL_USER: Final = "internal_user"
INTERNAL_USER_VIEWER: Final = "internal_user_viewer"
USER_ROLES: Final = frozenset(
    {PROXY_ADMIN, PROXY_ADMIN_VIEWER, INTERNAL_USER, INTERNAL_USER_VIEWER}
)
# Roles inside a team or organisation.
TEAM_ADMIN: Final = "admin"
TEAM_MEMBER: Final = "user"
