"""Who is calling: route policies (deny by default) and master-key authentication.

Every route declares a :class:`RoutePolicy`; there is no default. Keys are compared in
constant time. Virtual keys plug in as another :class:`Authenticator`.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from lockgate.errors import AuthenticationError, PermissionDeniedError
from lockgate.security.secret import Secret

__all__ = [
    "PROXY_ADMIN",
    "PROXY_ADMIN_VIEWER",
    "Authenticator",
    "MasterKeyAuthenticator",
    "Principal",
    "RoutePolicy",
    "authorize",
    "bearer_token",
]


class RoutePolicy(Enum):
    PUBLIC = "public"  # liveness probes only
    CALLER = "caller"  # any valid key (management routes then check ownership themselves)
    ADMIN_VIEW = "admin_view"  # proxy admins and proxy admin viewers (read-only routes)
    ADMIN = "admin"  # the master key (or an admin role)


# Role names as LiteLLM spells them.
PROXY_ADMIN = "proxy_admin"
PROXY_ADMIN_VIEWER = "proxy_admin_viewer"


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller. ``key_id`` is never the key itself.

    ``role`` is the caller's user role (``proxy_admin``, ``proxy_admin_viewer``,
    ``internal_user``, ``internal_user_viewer``; empty for a key without a user);
    ``is_admin`` is true for proxy admins (the master key included).
    """

    key_id: str
    is_admin: bool
    team_id: str | None = None
    user_id: str | None = None
    organization_id: str | None = None
    key_alias: str | None = None
    role: str = ""
    virtual: bool = False  # a virtual key (limits and budgets apply)

    @property
    def can_view_all(self) -> bool:
        return self.is_admin or self.role == PROXY_ADMIN_VIEWER


class Authenticator(Protocol):
    def authenticate(self, token: str) -> Principal | None: ...


def bearer_token(headers: Mapping[str, str]) -> str | None:
    """The caller's key: ``Authorization: Bearer``, Anthropic's ``x-api-key`` or Azure's
    ``api-key``."""
    authorization = headers.get("authorization")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
        return None
    return headers.get("x-api-key") or headers.get("api-key") or None


class MasterKeyAuthenticator:
    def __init__(self, master_key: Secret) -> None:
        self._key = master_key.reveal().encode()
        # One (immutable) principal for every request: a frozen dataclass is costly to build.
        self._principal = Principal(key_id="master", is_admin=True, role=PROXY_ADMIN)

    def authenticate(self, token: str) -> Principal | None:
        if hmac.compare_digest(token.encode(), self._key):
            return self._principal
        return None


def authorize(
    policy: RoutePolicy, headers: Mapping[str, str], authenticators: tuple[Authenticator, ...]
) -> Principal | None:
    """The principal for a request under ``policy``; raises 401/403 when it may not pass."""
    if policy is RoutePolicy.PUBLIC:
        return None
    token = bearer_token(headers)
    if token is None:
        raise AuthenticationError(
            "missing API key: send 'Authorization: Bearer <key>'", code="missing_api_key"
        )
    principal: Principal | None = None
    for authenticator in authenticators:
        principal = authenticator.authenticate(token)
        if principal is not None:
            break
    if principal is None:
        raise AuthenticationError("invalid API key", code="invalid_api_key")
    if policy is RoutePolicy.ADMIN and not principal.is_admin:
        raise PermissionDeniedError("this route needs an admin key", code="admin_only")
    if policy is RoutePolicy.ADMIN_VIEW and not principal.can_view_all:
        raise PermissionDeniedError(
            "this route needs an admin or admin viewer key", code="admin_only"
        )
    return principal
