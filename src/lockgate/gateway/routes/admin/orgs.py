"""``/organization/*``: new, update, delete, info, list, member_add, member_delete
(proxy admins; admin viewers may read)."""

from __future__ import annotations

import uuid
from typing import Final

from sqlalchemy import delete, update

from lockgate.errors import BadRequestError, NotFoundError
from lockgate.gateway.control_plane import ControlPlane
from lockgate.gateway.exchange import Exchange
from lockgate.gateway.routes.admin.common import audit, control_of, json_body, query, respond
from lockgate.gateway.routes.admin.entity_views import membership_view, org_view, team_view
from lockgate.gateway.routes.admin.fields import (
    LIMIT_FIELDS,
    Parser,
    opt_str,
    parse_fields,
    str_list,
)
from lockgate.gateway.routes.admin.memberships import (
    add_members,
    members_of,
    parse_members,
    remove_member,
)
from lockgate.store.access_tables import MembershipRow, OrganizationRow, TeamRow

__all__ = [
    "delete_orgs",
    "list_orgs",
    "new_org",
    "org_info",
    "org_member_add",
    "org_member_delete",
    "update_org",
]

ORG_FIELDS: Final[dict[str, tuple[str, Parser]]] = {
    **LIMIT_FIELDS,
    "organization_alias": ("alias", opt_str),
}


async def _org(control: ControlPlane, org_id: object) -> OrganizationRow:
    if not isinstance(org_id, str) or not org_id:
        raise BadRequestError("'organization_id' is required", param="organization_id")
    row = await control.store.get(OrganizationRow, org_id)
    if row is None:
        raise NotFoundError(f"organization '{org_id}' does not exist", param="organization_id")
    return row


async def new_org(exchange: Exchange) -> None:
    control = control_of(exchange)
    body = json_body(exchange)
    values = parse_fields(body, ORG_FIELDS, consumed=frozenset({"organization_id"}))
    org_id = opt_str(body.get("organization_id"), "organization_id") or str(uuid.uuid4())
    if await control.store.get(OrganizationRow, org_id) is not None:
        raise BadRequestError(f"organization '{org_id}' already exists", param="organization_id")
    row = OrganizationRow(id=org_id, **values)
    await control.store.add(row)
    await control.changed("org", org_id)
    view = org_view(row)
    await audit(exchange, "organization.new", "organization", org_id, after=view)
    await respond(exchange, view)


async def update_org(exchange: Exchange) -> None:
    control = control_of(exchange)
    body = json_body(exchange)
    row = await _org(control, body.get("organization_id"))
    values = parse_fields(body, ORG_FIELDS, consumed=frozenset({"organization_id"}))
    changed = await control.store.update(OrganizationRow, row.id, values)
    assert changed is not None
    await control.changed("org", row.id)
    view = org_view(changed[1])
    await audit(exchange, "organization.update", "organization", row.id, changed[0], view)
    await respond(exchange, view)


async def delete_orgs(exchange: Exchange) -> None:
    """Deletes the organisations; their teams stay, without an organisation."""
    control = control_of(exchange)
    org_ids = str_list(json_body(exchange).get("organization_ids"), "organization_ids")
    if not org_ids:
        raise BadRequestError("'organization_ids' is required", param="organization_ids")
    rows = [await _org(control, o) for o in org_ids]
    for row in rows:
        teams = await control.store.find(TeamRow, TeamRow.organization_id == row.id)
        async with control.store.session() as session, session.begin():
            await session.execute(
                update(TeamRow)
                .where(TeamRow.organization_id == row.id)
                .values(organization_id=None)
            )
            await session.execute(
                delete(MembershipRow).where(
                    MembershipRow.scope == "organization", MembershipRow.scope_id == row.id
                )
            )
            await session.execute(delete(OrganizationRow).where(OrganizationRow.id == row.id))
        for team in teams:
            await control.changed("team", team.id)
        await control.changed("org", row.id)
        await audit(exchange, "organization.delete", "organization", row.id, before=org_view(row))
    await respond(exchange, {"deleted_organizations": org_ids})


async def org_info(exchange: Exchange) -> None:
    control = control_of(exchange)
    row = await _org(control, query(exchange).get("organization_id"))
    teams = await control.store.find(TeamRow, TeamRow.organization_id == row.id)
    members = await members_of(control, "organization", row.id)
    await respond(
        exchange,
        {
            **org_view(row),
            "teams": [team_view(t) for t in teams],
            "members": [membership_view(m) for m in members],
        },
    )


async def list_orgs(exchange: Exchange) -> None:
    control = control_of(exchange)
    rows = await control.store.find(OrganizationRow, order_by=OrganizationRow.created_at)
    await respond(exchange, [org_view(r) for r in rows])


async def org_member_add(exchange: Exchange) -> None:
    control = control_of(exchange)
    body = json_body(exchange)
    row = await _org(control, body.get("organization_id"))
    members = parse_members(body.get("member"), "member")
    for user_id in await add_members(control, "organization", row.id, members):
        await control.changed("user", user_id)
    await audit(
        exchange,
        "organization.member_add",
        "organization",
        row.id,
        after={"members": [m[0] for m in members]},
    )
    await respond(
        exchange,
        {
            "organization_id": row.id,
            "members": [
                membership_view(m) for m in await members_of(control, "organization", row.id)
            ],
        },
    )


async def org_member_delete(exchange: Exchange) -> None:
    control = control_of(exchange)
    body = json_body(exchange)
    row = await _org(control, body.get("organization_id"))
    user_id = opt_str(body.get("user_id"), "user_id")
    if user_id is None:
        raise BadRequestError("'user_id' is required", param="user_id")
    if not await remove_member(control, "organization", row.id, user_id):
        raise NotFoundError(f"user '{user_id}' is not a member", param="user_id")
    await audit(
        exchange, "organization.member_delete", "organization", row.id, before={"user_id": user_id}
    )
    await respond(
        exchange,
        {
            "organization_id": row.id,
            "members": [
                membership_view(m) for m in await members_of(control, "organization", row.id)
            ],
        },
    )
