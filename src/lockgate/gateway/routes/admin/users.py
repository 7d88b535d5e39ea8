"""``/user/*``: new, update, delete, info, list. Proxy admins manage users; a user may read
their own record. ``/user/new`` also creates a key unless ``auto_create_key`` is false."""

from __future__ import annotations

import uuid
from typing import Any, Final

from sqlalchemy import delete

from lockgate.errors import BadRequestError, NotFoundError
from lockgate.gateway.control_plane import ControlPlane
from lockgate.gateway.exchange import Exchange
from lockgate.gateway.routes.admin.access import deny
from lockgate.gateway.routes.admin.common import (
    audit,
    caller,
    control_of,
    json_body,
    query,
    query_int,
    respond,
)
from lockgate.gateway.routes.admin.entity_views import membership_view, user_view
from lockgate.gateway.routes.admin.fields import (
    LIMIT_FIELDS,
    Parser,
    opt_str,
    parse_fields,
    str_list,
)
from lockgate.gateway.routes.admin.key_views import key_view
from lockgate.gateway.routes.admin.memberships import add_members, scopes_of
from lockgate.keys.key_hasher import key_hint, new_key, new_key_id
from lockgate.keys.roles import INTERNAL_USER, TEAM_MEMBER, USER_ROLES
from lockgate.store.access_tables import KeyRow, MembershipRow, UserRow

__all__ = ["delete_users", "list_users", "new_user", "update_user", "user_info"]


def _role(value: Any, name: str) -> str:
    if value not in USER_ROLES:
        raise BadRequestError(f"'{name}' must be one of {sorted(USER_ROLES)}", param=name)
    return str(value)


USER_FIELDS: Final[dict[str, tuple[str, Parser]]] = {
    **LIMIT_FIELDS,
    "user_email": ("email", opt_str),
    "user_alias": ("alias", opt_str),
    "user_role": ("role", _role),
    "organization_id": ("organization_id", opt_str),
}


async def _user(control: ControlPlane, user_id: object) -> UserRow:
    if not isinstance(user_id, str) or not user_id:
        raise BadRequestError("'user_id' is required", param="user_id")
    row = await control.store.get(UserRow, user_id)
    if row is None:
        raise NotFoundError(f"user '{user_id}' does not exist", param="user_id")
    return row


async def new_user(exchange: Exchange) -> None:
    control = control_of(exchange)
    body = json_body(exchange)
    values = parse_fields(
        body, USER_FIELDS, consumed=frozenset({"user_id", "teams", "auto_create_key", "key_alias"})
    )
    values.setdefault("role", INTERNAL_USER)
    user_id = opt_str(body.get("user_id"), "user_id") or str(uuid.uuid4())
    teams = str_list(body.get("teams"), "teams")
    for team_id in teams:
        if team_id not in control.cache.teams:
            raise NotFoundError(f"team '{team_id}' does not exist", param="teams")
    if await control.store.get(UserRow, user_id) is not None:
        raise BadRequestError(f"user '{user_id}' already exists", param="user_id")
    row = UserRow(id=user_id, **values)
    await control.store.add(row)
    for team_id in teams:
        await add_members(control, "team", team_id, [(user_id, TEAM_MEMBER)])
        await control.changed("team", team_id)
    await control.changed("user", user_id)
    view = user_view(row)
    await audit(exchange, "user.new", "user", user_id, after=view)
    answer: dict[str, Any] = {**view, "teams": teams}
    if body.get("auto_create_key", True) is not False:
        secret = new_key()
        key = KeyRow(
            id=new_key_id(),
            digest=control.hasher.digest(secret),
            key_name=key_hint(secret),
            key_alias=opt_str(body.get("key_alias"), "key_alias"),
            user_id=user_id,
            models=list(values.get("models", [])),
            created_by=caller(exchange).key_id,
        )
        await control.store.add(key)
        await control.changed("key", key.id)
        await audit(exchange, "key.generate", "key", key.id, after=key_view(key))
        answer.update(key=secret, token_id=key.id, key_name=key.key_name)
    await respond(exchange, answer)


async def update_user(exchange: Exchange) -> None:
    control = control_of(exchange)
    body = json_body(exchange)
    row = await _user(control, body.get("user_id"))
    values = parse_fields(body, USER_FIELDS, consumed=frozenset({"user_id"}))
    changed = await control.store.update(UserRow, row.id, values)
    assert changed is not None
    await control.changed("user", row.id)
    view = user_view(changed[1])
    await audit(exchange, "user.update", "user", row.id, before=changed[0], after=view)
    await respond(exchange, view)


async def delete_users(exchange: Exchange) -> None:
    """Deletes the users, their memberships and their keys."""
    control = control_of(exchange)
    user_ids = str_list(json_body(exchange).get("user_ids"), "user_ids")
    if not user_ids:
        raise BadRequestError("'user_ids' is required", param="user_ids")
    rows = [await _user(control, u) for u in user_ids]
    for row in rows:
        keys = await control.store.find(KeyRow, KeyRow.user_id == row.id)
        teams = await scopes_of(control, "team", row.id)
        async with control.store.session() as session, session.begin():
            await session.execute(delete(KeyRow).where(KeyRow.user_id == row.id))
            await session.execute(delete(MembershipRow).where(MembershipRow.user_id == row.id))
            await session.execute(delete(UserRow).where(UserRow.id == row.id))
        for key in keys:
            await control.changed("key", key.id)
        for membership in teams:
            await control.changed("team", membership.scope_id)
        await control.changed("user", row.id)
        await audit(exchange, "user.delete", "user", row.id, before=user_view(row))
    await respond(exchange, {"deleted_users": user_ids})


async def user_info(exchange: Exchange) -> None:
    control, principal = control_of(exchange), caller(exchange)
    user_id = query(exchange).get("user_id") or principal.user_id
    row = await _user(control, user_id)
    if not principal.can_view_all and row.id != principal.user_id:
        raise deny("read this user")
    keys = await control.store.find(KeyRow, KeyRow.user_id == row.id, order_by=KeyRow.created_at)
    teams = await scopes_of(control, "team", row.id)
    await respond(
        exchange,
        {
            "user_id": row.id,
            "user_info": user_view(row),
            "keys": [key_view(k) for k in keys],
            "teams": [{"team_id": m.scope_id, **membership_view(m)} for m in teams],
        },
    )


async def list_users(exchange: Exchange) -> None:
    control = control_of(exchange)
    params = query(exchange)
    page = query_int(params, "page", 1, maximum=1_000_000)
    size = query_int(params, "page_size", 25, maximum=1000)
    where = []
    if "role" in params:
        where.append(UserRow.role == params["role"])
    total = await control.store.count(UserRow, *where)
    rows = await control.store.find(
        UserRow, *where, order_by=UserRow.created_at, offset=(page - 1) * size, limit=size
    )
    await respond(
        exchange,
        {
            "users": [user_view(r) for r in rows],
            "total": total,
            "page": page,
            "page_size": size,
            "total_pages": (total + size - 1) // size,
        },
    )
