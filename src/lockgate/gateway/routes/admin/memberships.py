"""Team and organisation memberships in the store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from lockgate.errors import BadRequestError
from lockgate.gateway.control_plane import ControlPlane
from lockgate.keys.roles import INTERNAL_USER, TEAM_ADMIN, TEAM_MEMBER
from lockgate.store.access_tables import MembershipRow, UserRow

__all__ = ["add_members", "members_of", "parse_members", "remove_member", "scopes_of"]


def parse_members(value: Any, name: str) -> list[tuple[str, str]]:
    """``[{"user_id": ..., "role": "admin"|"user"}]`` (a single object is accepted too)."""
    items = [value] if isinstance(value, dict) else value
    if not isinstance(items, list):
        raise BadRequestError(f"'{name}' must be a list of {{user_id, role}}", param=name)
    members = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("user_id"), str):
            raise BadRequestError(f"'{name}': every member needs a user_id", param=name)
        role = item.get("role", TEAM_MEMBER)
        if role not in (TEAM_ADMIN, TEAM_MEMBER):
            raise BadRequestError(f"'{name}': role must be 'admin' or 'user'", param=name)
        members.append((item["user_id"], role))
    return members


async def add_members(
    control: ControlPlane, scope: str, scope_id: str, members: list[tuple[str, str]]
) -> list[str]:
    """Add (or re-role) members; unknown users are created as internal users, as in LiteLLM.
    Returns the user ids created."""
    created: list[str] = []
    async with control.store.session() as session, session.begin():
        for user_id, role in members:
            if await session.get(UserRow, user_id) is None:
                session.add(UserRow(id=user_id, role=INTERNAL_USER))
                created.append(user_id)
                await session.flush()
            existing = (
                await session.scalars(
                    select(MembershipRow).where(
                        MembershipRow.scope == scope,
                        MembershipRow.scope_id == scope_id,
                        MembershipRow.user_id == user_id,
                    )
                )
            ).first()
            if existing is None:
                session.add(
                    MembershipRow(scope=scope, scope_id=scope_id, user_id=user_id, role=role)
                )
            else:
                existing.role = role
    return created


async def remove_member(control: ControlPlane, scope: str, scope_id: str, user_id: str) -> bool:
    async with control.store.session() as session, session.begin():
        result = await session.execute(
            delete(MembershipRow).where(
                MembershipRow.scope == scope,
                MembershipRow.scope_id == scope_id,
                MembershipRow.user_id == user_id,
            )
        )
        return bool(getattr(result, "rowcount", 0))


async def members_of(control: ControlPlane, scope: str, scope_id: str) -> list[MembershipRow]:
    return await control.store.find(
        MembershipRow,
        MembershipRow.scope == scope,
        MembershipRow.scope_id == scope_id,
        order_by=MembershipRow.id,
    )


async def scopes_of(control: ControlPlane, scope: str, user_id: str) -> list[MembershipRow]:
    return await control.store.find(
        MembershipRow, MembershipRow.scope == scope, MembershipRow.user_id == user_id
    )
