"""``/team/*``: new, update, delete, info, list, member_add, member_delete, block, unblock.

Proxy admins manage every team; a team's admins may rename it and manage its members,
never raise its budget, limits or models.
"""

from __future__ import annotations

import uuid
from typing import Final

from sqlalchemy import delete

from lockgate.errors import BadRequestError, NotFoundError
from lockgate.gateway.control_plane import ControlPlane
from lockgate.gateway.exchange import Exchange
from lockgate.gateway.routes.admin.access import deny, is_team_admin, is_team_member
from lockgate.gateway.routes.admin.common import (
    audit,
    caller,
    control_of,
    json_body,
    query,
    respond,
)
from lockgate.gateway.routes.admin.entity_views import team_view
from lockgate.gateway.routes.admin.fields import (
    LIMIT_FIELDS,
    Parser,
    flag,
    opt_str,
    parse_fields,
    str_list,
)
from lockgate.gateway.routes.admin.key_views import key_view
from lockgate.gateway.routes.admin.memberships import (
    add_members,
    members_of,
    parse_members,
    remove_member,
)
from lockgate.store.access_tables import KeyRow, MembershipRow, OrganizationRow, TeamRow

__all__ = [
    "block_team",
    "delete_teams",
    "list_teams",
    "member_add",
    "member_delete",
    "new_team",
    "team_info",
    "unblock_team",
    "update_team",
]

TEAM_FIELDS: Final[dict[str, tuple[str, Parser]]] = {
    **LIMIT_FIELDS,
    "team_alias": ("alias", opt_str),
    "organization_id": ("organization_id", opt_str),
    "blocked": ("blocked", flag),
}
# What a team admin may change on their own team.
_TEAM_ADMIN_FIELDS: Final = frozenset({"alias", "metadata_"})


async def _team(control: ControlPlane, team_id: object) -> TeamRow:
    if not isinstance(team_id, str) or not team_id:
        raise BadRequestError("'team_id' is required", param="team_id")
    row = await control.store.get(TeamRow, team_id)
    if row is None:
        raise NotFoundError(f"team '{team_id}' does not exist", param="team_id")
    return row


async def _check_org(control: ControlPlane, org_id: str | None) -> None:
    if org_id and await control.store.get(OrganizationRow, org_id) is None:
        raise NotFoundError(f"organization '{org_id}' does not exist", param="organization_id")


async def new_team(exchange: Exchange) -> None:
    control = control_of(exchange)
    body = json_body(exchange)
    values = parse_fields(body, TEAM_FIELDS, consumed=frozenset({"team_id", "members_with_roles"}))
    team_id = opt_str(body.get("team_id"), "team_id") or str(uuid.uuid4())
    members = parse_members(body.get("members_with_roles", []), "members_with_roles")
    await _check_org(control, values.get("organization_id"))
    if await control.store.get(TeamRow, team_id) is not None:
        raise BadRequestError(f"team '{team_id}' already exists", param="team_id")
    row = TeamRow(id=team_id, **values)
    await control.store.add(row)
    created = await add_members(control, "team", team_id, members)
    for user_id in created:
        await control.changed("user", user_id)
    await control.changed("team", team_id)
    view = team_view(row, await members_of(control, "team", team_id))
    await audit(exchange, "team.new", "team", team_id, after=view)
    await respond(exchange, view)


async def update_team(exchange: Exchange) -> None:
    control, principal = control_of(exchange), caller(exchange)
    body = json_body(exchange)
    row = await _team(control, body.get("team_id"))
    if not is_team_admin(control.cache, principal, row.id):
        raise deny("change this team")
    values = parse_fields(body, TEAM_FIELDS, consumed=frozenset({"team_id"}))
    if not principal.is_admin and not set(values) <= _TEAM_ADMIN_FIELDS:
        raise deny("change a team's budget, limits or models (proxy admins only)")
    await _check_org(control, values.get("organization_id"))
    changed = await control.store.update(TeamRow, row.id, values)
    assert changed is not None
    await control.changed("team", row.id)
    view = team_view(changed[1])
    await audit(exchange, "team.update", "team", row.id, before=changed[0], after=view)
    await respond(exchange, view)


async def delete_teams(exchange: Exchange) -> None:
    """Deletes the teams, their memberships and their keys (as LiteLLM does)."""
    control = control_of(exchange)
    team_ids = str_list(json_body(exchange).get("team_ids"), "team_ids")
    if not team_ids:
        raise BadRequestError("'team_ids' is required", param="team_ids")
    rows = [await _team(control, t) for t in team_ids]
    for row in rows:
        keys = await control.store.find(KeyRow, KeyRow.team_id == row.id)
        async with control.store.session() as session, session.begin():
            await session.execute(delete(KeyRow).where(KeyRow.team_id == row.id))
            await session.execute(
                delete(MembershipRow).where(
                    MembershipRow.scope == "team", MembershipRow.scope_id == row.id
                )
            )
            await session.execute(delete(TeamRow).where(TeamRow.id == row.id))
        for key in keys:
            await control.changed("key", key.id)
        await control.changed("team", row.id)
        await audit(exchange, "team.delete", "team", row.id, before=team_view(row))
    await respond(exchange, {"deleted_teams": team_ids})


async def team_info(exchange: Exchange) -> None:
    control, principal = control_of(exchange), caller(exchange)
    row = await _team(control, query(exchange).get("team_id"))
    if not (principal.can_view_all or is_team_member(control.cache, principal, row.id)):
        raise deny("read this team")
    members = await members_of(control, "team", row.id)
    keys = await control.store.find(KeyRow, KeyRow.team_id == row.id, order_by=KeyRow.created_at)
    if not (principal.can_view_all or is_team_admin(control.cache, principal, row.id)):
        keys = [k for k in keys if k.user_id == principal.user_id]
    await respond(
        exchange,
        {
            "team_id": row.id,
            "team_info": team_view(row, members),
            "keys": [key_view(k) for k in keys],
        },
    )


async def list_teams(exchange: Exchange) -> None:
    control, principal = control_of(exchange), caller(exchange)
    params = query(exchange)
    where = []
    if "organization_id" in params:
        where.append(TeamRow.organization_id == params["organization_id"])
    if not principal.can_view_all:
        mine = [t.id for t in control.cache.teams.values() if principal.user_id in t.members]
        where.append(TeamRow.id.in_(mine))
    rows = await control.store.find(TeamRow, *where, order_by=TeamRow.created_at)
    await respond(exchange, [team_view(r, await members_of(control, "team", r.id)) for r in rows])


async def member_add(exchange: Exchange) -> None:
    control, principal = control_of(exchange), caller(exchange)
    body = json_body(exchange)
    row = await _team(control, body.get("team_id"))
    if not is_team_admin(control.cache, principal, row.id):
        raise deny("add members to this team")
    members = parse_members(body.get("member"), "member")
    created = await add_members(control, "team", row.id, members)
    for user_id in created:
        await control.changed("user", user_id)
    await control.changed("team", row.id)
    view = team_view(row, await members_of(control, "team", row.id))
    await audit(
        exchange, "team.member_add", "team", row.id, after={"members": [m[0] for m in members]}
    )
    await respond(exchange, view)


async def member_delete(exchange: Exchange) -> None:
    control, principal = control_of(exchange), caller(exchange)
    body = json_body(exchange)
    row = await _team(control, body.get("team_id"))
    if not is_team_admin(control.cache, principal, row.id):
        raise deny("remove members from this team")
    user_id = opt_str(body.get("user_id"), "user_id")
    if user_id is None:
        raise BadRequestError("'user_id' is required", param="user_id")
    if not await remove_member(control, "team", row.id, user_id):
        raise NotFoundError(f"user '{user_id}' is not a member of team '{row.id}'", param="user_id")
    await control.changed("team", row.id)
    await audit(exchange, "team.member_delete", "team", row.id, before={"user_id": user_id})
    await respond(exchange, team_view(row, await members_of(control, "team", row.id)))


async def _set_blocked(exchange: Exchange, blocked: bool) -> None:
    control = control_of(exchange)
    row = await _team(control, json_body(exchange).get("team_id"))
    changed = await control.store.update(TeamRow, row.id, {"blocked": blocked})
    assert changed is not None
    await control.changed("team", row.id)
    await audit(exchange, "team.block" if blocked else "team.unblock", "team", row.id)
    await respond(exchange, team_view(changed[1]))


async def block_team(exchange: Exchange) -> None:
    await _set_blocked(exchange, True)


async def unblock_team(exchange: Exchange) -> None:
    await _set_blocked(exchange, False)
