"""``/key/*``: generate, update, delete, info, list, regenerate, block, unblock.

A key is shown once, by ``/key/generate`` and ``/key/regenerate``; the store keeps only its
keyed hash. Routes accept a key by its value or by its ``token_id``.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import func, or_, select

from lockgate.errors import BadRequestError, NotFoundError
from lockgate.gateway.control_plane import ControlPlane
from lockgate.gateway.exchange import Exchange
from lockgate.gateway.routes.admin.access import can_manage_key, can_view_key, deny, require_writer
from lockgate.gateway.routes.admin.common import (
    audit,
    caller,
    control_of,
    json_body,
    query,
    query_int,
    respond,
)
from lockgate.gateway.routes.admin.fields import (
    LIMIT_FIELDS,
    Parser,
    expires_from,
    flag,
    int_map,
    opt_str,
    parse_fields,
    str_list,
    str_map,
)
from lockgate.gateway.routes.admin.key_rules import check_key_owner, check_within_parent
from lockgate.gateway.routes.admin.key_views import key_view
from lockgate.keys.key_hasher import KEY_PREFIX, key_hint, new_key, new_key_id
from lockgate.store.access_tables import KeyRow

__all__ = [
    "block_key",
    "delete_keys",
    "find_key",
    "generate_key",
    "key_info",
    "list_keys",
    "regenerate_key",
    "unblock_key",
    "update_key",
]

KEY_FIELDS: Final[dict[str, tuple[str, Parser]]] = {
    **LIMIT_FIELDS,
    "key_alias": ("key_alias", opt_str),
    "aliases": ("aliases", str_map),
    "tags": ("tags", str_list),
    "model_rpm_limit": ("model_rpm_limit", int_map),
    "model_tpm_limit": ("model_tpm_limit", int_map),
    "blocked": ("blocked", flag),
}
_OWNER_FIELDS: Final = frozenset({"user_id", "team_id", "organization_id"})


async def find_key(control: ControlPlane, ref: Any) -> KeyRow:
    if not isinstance(ref, str) or not ref:
        raise BadRequestError("'key' is required: the key or its token_id", param="key")
    if ref.startswith(KEY_PREFIX):
        digest = control.hasher.digest(ref)
        rows = await control.store.find(KeyRow, KeyRow.digest == digest)
        row = rows[0] if rows else None
    else:
        row = await control.store.get(KeyRow, ref)
    if row is None:
        raise NotFoundError("no such key", param="key")
    return row


async def _alias_free(control: ControlPlane, alias: str | None, key_id: str | None) -> None:
    if alias is None:
        return
    rows = await control.store.find(KeyRow, KeyRow.key_alias == alias)
    if rows and rows[0].id != key_id:
        raise BadRequestError(f"key_alias '{alias}' is already used", param="key_alias")


async def generate_key(exchange: Exchange) -> None:
    control, principal = control_of(exchange), caller(exchange)
    require_writer(principal, "create keys")
    body = json_body(exchange)
    values = parse_fields(
        body, KEY_FIELDS, consumed=_OWNER_FIELDS | {"duration", "key", "user_role"}
    )
    user_id = opt_str(body.get("user_id"), "user_id")
    team_id = opt_str(body.get("team_id"), "team_id")
    if user_id is None and not principal.is_admin:
        user_id = principal.user_id  # an internal user's keys are theirs
    check_key_owner(control.cache, principal, user_id, team_id)
    if not principal.is_admin:
        check_within_parent(control.cache, values, user_id, team_id)
    key = body.get("key")
    if key is not None and (
        not principal.is_admin
        or not isinstance(key, str)
        or not key.startswith(KEY_PREFIX)
        or len(key) < 20
    ):
        raise BadRequestError(
            "'key': only an admin may choose a key (sk-..., 20+ characters)", param="key"
        )
    secret = key or new_key()
    await _alias_free(control, values.get("key_alias"), None)
    row = KeyRow(
        id=new_key_id(),
        digest=control.hasher.digest(secret),
        key_name=key_hint(secret),
        user_id=user_id,
        team_id=team_id,
        organization_id=opt_str(body.get("organization_id"), "organization_id"),
        expires=expires_from(body.get("duration")),
        created_by=principal.key_id,
        **values,
    )
    await control.store.add(row)
    await control.changed("key", row.id)
    view = key_view(row)
    await audit(exchange, "key.generate", "key", row.id, after=view)
    await respond(exchange, {"key": secret, **view})


async def update_key(exchange: Exchange) -> None:
    control, principal = control_of(exchange), caller(exchange)
    require_writer(principal, "change keys")
    body = json_body(exchange)
    row = await find_key(control, body.get("key"))
    if not can_manage_key(control.cache, principal, row.user_id, row.team_id):
        raise deny("change this key")
    values = parse_fields(body, KEY_FIELDS, consumed=_OWNER_FIELDS | {"key", "duration"})
    if "duration" in body:
        values["expires"] = expires_from(body["duration"])
    for name in _OWNER_FIELDS & body.keys():
        if not principal.is_admin:
            raise deny(f"move keys ({name})")
        values[name] = opt_str(body[name], name)
    if not principal.is_admin:
        values.pop("blocked", None)
        check_within_parent(control.cache, {**key_view(row), **values}, row.user_id, row.team_id)
    await _alias_free(control, values.get("key_alias"), row.id)
    changed = await control.store.update(KeyRow, row.id, values)
    if changed is None:
        raise NotFoundError("no such key", param="key")
    before, after = changed
    await control.changed("key", row.id)
    view = key_view(after)
    await audit(exchange, "key.update", "key", row.id, before=before, after=view)
    await respond(exchange, view)


async def delete_keys(exchange: Exchange) -> None:
    control, principal = control_of(exchange), caller(exchange)
    require_writer(principal, "delete keys")
    body = json_body(exchange)
    refs = str_list(body.get("keys"), "keys")
    aliases = str_list(body.get("key_aliases"), "key_aliases")
    if not refs and not aliases:
        raise BadRequestError("give 'keys' or 'key_aliases'", param="keys")
    rows = [await find_key(control, ref) for ref in refs]
    for alias in aliases:
        found = await control.store.find(KeyRow, KeyRow.key_alias == alias)
        if not found:
            raise NotFoundError(f"no key with alias '{alias}'", param="key_aliases")
        rows += found
    for row in rows:
        if not can_manage_key(control.cache, principal, row.user_id, row.team_id):
            raise deny("delete this key")
    deleted = []
    for row in rows:
        if await control.store.delete(KeyRow, row.id) is not None:
            deleted.append(row.id)
            await control.changed("key", row.id)
            await audit(exchange, "key.delete", "key", row.id, before=key_view(row))
    await respond(exchange, {"deleted_keys": deleted})


async def key_info(exchange: Exchange) -> None:
    control, principal = control_of(exchange), caller(exchange)
    params = query(exchange)
    ref = params.get("key")
    if ref is None:
        if not principal.virtual:
            raise BadRequestError("'key' is required", param="key")
        ref = principal.key_id
    row = await find_key(control, ref)
    if not can_view_key(control.cache, principal, row.id, row.user_id, row.team_id):
        raise deny("read this key")
    await respond(exchange, {"key": row.id, "info": key_view(row)})


async def list_keys(exchange: Exchange) -> None:
    control, principal = control_of(exchange), caller(exchange)
    params = query(exchange)
    page = query_int(params, "page", 1, maximum=1_000_000)
    size = query_int(params, "size", 100, maximum=1000)
    where = []
    for name, column in (
        ("user_id", KeyRow.user_id),
        ("team_id", KeyRow.team_id),
        ("key_alias", KeyRow.key_alias),
        ("organization_id", KeyRow.organization_id),
    ):
        if name in params:
            where.append(column == params[name])
    if not principal.can_view_all:
        if principal.role != "internal_user" or not principal.user_id:
            where.append(KeyRow.id == principal.key_id)
        else:
            team = control.cache.teams
            admin_of = [t for t, rec in team.items() if principal.user_id in rec.admins]
            where.append(or_(KeyRow.user_id == principal.user_id, KeyRow.team_id.in_(admin_of)))
    async with control.store.session() as session:
        total = int(
            await session.scalar(select(func.count()).select_from(KeyRow).where(*where)) or 0
        )
        rows = (
            await session.scalars(
                select(KeyRow)
                .where(*where)
                .order_by(KeyRow.created_at, KeyRow.id)
                .offset((page - 1) * size)
                .limit(size)
            )
        ).all()
    full = params.get("return_full_object", "false").lower() == "true"
    await respond(
        exchange,
        {
            "keys": [key_view(r) if full else r.id for r in rows],
            "total_count": total,
            "current_page": page,
            "total_pages": (total + size - 1) // size,
        },
    )


async def regenerate_key(exchange: Exchange) -> None:
    control, principal = control_of(exchange), caller(exchange)
    require_writer(principal, "regenerate keys")
    path = exchange.request.path
    if path != "/key/regenerate" and not path.endswith("/regenerate"):
        raise NotFoundError(f"no route for {exchange.request.raw_path}", code="not_found")
    body = json_body(exchange)
    ref = body.get("key")
    if ref is None and path != "/key/regenerate":
        ref = path.removeprefix("/key/").removesuffix("/regenerate") or None
    row = await find_key(control, ref)
    if not can_manage_key(control.cache, principal, row.user_id, row.team_id):
        raise deny("regenerate this key")
    values = parse_fields(body, KEY_FIELDS, consumed=frozenset({"key", "new_key"}))
    if not principal.is_admin:
        values.pop("blocked", None)
        check_within_parent(control.cache, {**key_view(row), **values}, row.user_id, row.team_id)
    secret = new_key()
    values.update(digest=control.hasher.digest(secret), key_name=key_hint(secret))
    changed = await control.store.update(KeyRow, row.id, values)
    if changed is None:
        raise NotFoundError("no such key", param="key")
    await control.changed("key", row.id)
    view = key_view(changed[1])
    await audit(exchange, "key.regenerate", "key", row.id, before=key_view(row), after=view)
    await respond(exchange, {"key": secret, **view})


async def _set_blocked(exchange: Exchange, blocked: bool) -> None:
    control = control_of(exchange)
    row = await find_key(control, json_body(exchange).get("key"))
    changed = await control.store.update(KeyRow, row.id, {"blocked": blocked})
    assert changed is not None
    await control.changed("key", row.id)
    action = "key.block" if blocked else "key.unblock"
    view = key_view(changed[1])
    await audit(
        exchange, action, "key", row.id, before={"blocked": row.blocked}, after={"blocked": blocked}
    )
    await respond(exchange, view)


async def block_key(exchange: Exchange) -> None:
    await _set_blocked(exchange, True)


async def unblock_key(exchange: Exchange) -> None:
    await _set_blocked(exchange, False)
