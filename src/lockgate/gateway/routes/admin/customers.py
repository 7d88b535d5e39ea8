"""``/customer/*`` (also ``/end_user/*``): new, info, update, delete, list, block, unblock.

An end user (customer) is named by a request's ``user`` field. Its limits come from the
budget it references (``budget_id``); budget fields given here (``max_budget``,
``rpm_limit``, ...) create a budget for it, or change the one it has, as LiteLLM does.
Blocked end users are refused (403). Changes apply at once here and, with Redis, on every
other instance.
"""

from __future__ import annotations

import uuid
from typing import Any, Final

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from lockgate.errors import BadRequestError, NotFoundError, UnprocessableEntityError
from lockgate.gateway.control_plane import ControlPlane
from lockgate.gateway.exchange import Exchange
from lockgate.gateway.routes.admin.budget_views import (
    BUDGET_FIELDS,
    budget_of,
    budget_view,
    end_user_view,
    ident,
)
from lockgate.gateway.routes.admin.budgets import actor
from lockgate.gateway.routes.admin.common import (
    audit,
    control_of,
    json_body,
    query,
    query_int,
    respond,
)
from lockgate.gateway.routes.admin.fields import (
    Parser,
    flag,
    json_object,
    opt_str,
    parse_fields,
    str_list,
)
from lockgate.store.access_tables import BudgetRow, EndUserRow

__all__ = [
    "block_customers",
    "customer_info",
    "delete_customers",
    "list_customers",
    "new_customer",
    "unblock_customers",
    "update_customer",
]

_MAX_ID: Final = 256  # the longest ``user`` value a request may name (see admission)
_REGIONS: Final = frozenset({"eu", "us"})


def _region(value: Any, name: str) -> str | None:
    if value is not None and value not in _REGIONS:
        raise BadRequestError(f"'{name}' must be one of {sorted(_REGIONS)} or null", param=name)
    return value if value is None else str(value)


CUSTOMER_FIELDS: Final[dict[str, tuple[str, Parser]]] = {
    "alias": ("alias", opt_str),
    "blocked": ("blocked", flag),
    "allowed_model_region": ("allowed_model_region", _region),
    "default_model": ("default_model", opt_str),
    "metadata": ("metadata_", json_object),
}
# Read separately: the id, the budget link and the budget's own fields.
_CONSUMED: Final = frozenset({"user_id", "budget_id", "budget_reset_at", *BUDGET_FIELDS})


def _customer_values(exchange: Exchange, body: dict[str, Any]) -> dict[str, Any]:
    values = parse_fields(body, CUSTOMER_FIELDS, consumed=_CONSUMED)
    model = values.get("default_model")
    if model is not None and model not in exchange.state.model_names:
        raise UnprocessableEntityError(
            f"default_model '{model}' is not a model this gateway serves",
            param="default_model",
        )
    return values


def _budget_values(body: dict[str, Any], *, keep_nulls: bool) -> dict[str, Any]:
    """The budget fields present in ``body`` (parsed); nulls only when updating."""
    present = {k: v for k, v in body.items() if k in BUDGET_FIELDS}
    values = parse_fields(present, BUDGET_FIELDS)
    if keep_nulls:
        return values
    return {k: v for k, v in values.items() if v is not None and v != {}}


def _one_budget_source(
    body: dict[str, Any], budget_values: dict[str, Any], *, linking: bool
) -> None:
    if linking and budget_values:
        raise BadRequestError(
            "give either 'budget_id' or budget fields (max_budget, rpm_limit, ...), not both",
            param="budget_id",
        )


async def _customer(control: ControlPlane, user_id: Any, name: str = "user_id") -> EndUserRow:
    row = await control.store.get(EndUserRow, ident(user_id, name, max_length=_MAX_ID))
    if row is None:
        raise NotFoundError(f"end user '{user_id}' does not exist", param=name)
    return row


async def _view(control: ControlPlane, row: EndUserRow) -> dict[str, Any]:
    budget = await control.store.get(BudgetRow, row.budget_id) if row.budget_id else None
    return end_user_view(row, budget)


def _user_ids(body: dict[str, Any]) -> list[str]:
    user_ids = str_list(body.get("user_ids"), "user_ids")
    if not user_ids:
        raise BadRequestError("'user_ids' is required: a list of end user ids", param="user_ids")
    for user_id in user_ids:
        ident(user_id, "user_ids", max_length=_MAX_ID)
    return list(dict.fromkeys(user_ids))


async def new_customer(exchange: Exchange) -> None:
    control = control_of(exchange)
    body = json_body(exchange)
    user_id = ident(body.get("user_id"), "user_id", max_length=_MAX_ID)
    values = _customer_values(exchange, body)
    budget_values = _budget_values(body, keep_nulls=False)
    _one_budget_source(body, budget_values, linking=body.get("budget_id") is not None)
    budget: BudgetRow | None = None
    if body.get("budget_id") is not None:
        budget = await budget_of(control, body["budget_id"])
    if await control.store.get(EndUserRow, user_id) is not None:
        raise BadRequestError(f"end user '{user_id}' already exists", param="user_id")
    new_budget = None
    if budget_values:
        who = actor(exchange)
        new_budget = budget = BudgetRow(
            id=str(uuid.uuid4()), created_by=who, updated_by=who, **budget_values
        )
    row = EndUserRow(id=user_id, budget_id=budget.id if budget else None, **values)
    try:
        async with control.store.session() as session, session.begin():
            if new_budget is not None:
                session.add(new_budget)
            session.add(row)
    except IntegrityError:  # the id was taken, or the budget deleted, meanwhile
        raise BadRequestError(
            f"end user '{user_id}' already exists or its budget was deleted", param="user_id"
        ) from None
    await control.changed("end_user", user_id)
    if new_budget is not None:
        await audit(exchange, "budget.new", "budget", new_budget.id, after=budget_view(new_budget))
    view = end_user_view(row, budget)
    await audit(exchange, "customer.new", "end_user", user_id, after=view)
    await respond(exchange, view)


async def update_customer(exchange: Exchange) -> None:
    """Fields present are set (null clears). Budget fields change the end user's budget,
    which is shared by every end user referencing it, or create one if it has none;
    ``budget_id`` moves it to another budget (null: none)."""
    control = control_of(exchange)
    body = json_body(exchange)
    row = await _customer(control, body.get("user_id"))
    values = _customer_values(exchange, body)
    budget_values = _budget_values(body, keep_nulls=True)
    _one_budget_source(body, budget_values, linking="budget_id" in body)
    before = await _view(control, row)
    if "budget_id" in body:
        budget_id = body["budget_id"]
        values["budget_id"] = (
            None if budget_id is None else (await budget_of(control, budget_id)).id
        )
    elif budget_values and row.budget_id:
        await _change_budget(exchange, control, row.budget_id, budget_values)
    elif any(v is not None for v in budget_values.values()):
        who = actor(exchange)
        created = BudgetRow(id=str(uuid.uuid4()), created_by=who, updated_by=who, **budget_values)
        await control.store.add(created)
        await audit(exchange, "budget.new", "budget", created.id, after=budget_view(created))
        values["budget_id"] = created.id
    try:
        changed = await control.store.update(EndUserRow, row.id, values)
    except IntegrityError:  # the budget was deleted meanwhile
        raise NotFoundError("the budget was deleted meanwhile", param="budget_id") from None
    if changed is None:
        raise NotFoundError(f"end user '{row.id}' was deleted meanwhile", param="user_id")
    await control.changed("end_user", row.id)
    view = await _view(control, changed[1])
    await audit(exchange, "customer.update", "end_user", row.id, before=before, after=view)
    await respond(exchange, view)


async def _change_budget(
    exchange: Exchange, control: ControlPlane, budget_id: str, values: dict[str, Any]
) -> None:
    changed = await control.store.update(
        BudgetRow, budget_id, {**values, "updated_by": actor(exchange)}
    )
    if changed is None:
        raise NotFoundError(f"budget '{budget_id}' was deleted meanwhile", param="budget_id")
    await control.changed("budget", budget_id)
    await audit(
        exchange,
        "budget.update",
        "budget",
        budget_id,
        before=changed[0],
        after=budget_view(changed[1]),
    )


async def customer_info(exchange: Exchange) -> None:
    control = control_of(exchange)
    row = await _customer(control, query(exchange).get("end_user_id"), "end_user_id")
    await respond(exchange, await _view(control, row))


async def list_customers(exchange: Exchange) -> None:
    """Every end user (as LiteLLM), or one page with ``?page=&page_size=``."""
    control = control_of(exchange)
    params = query(exchange)
    offset, limit = 0, None
    if "page" in params or "page_size" in params:
        page = query_int(params, "page", 1, maximum=1_000_000)
        limit = query_int(params, "page_size", 100, maximum=1000)
        offset = (page - 1) * limit
    rows = await control.store.find(
        EndUserRow, order_by=EndUserRow.created_at, offset=offset, limit=limit
    )
    budget_ids = {r.budget_id for r in rows if r.budget_id}
    budgets = (
        {b.id: b for b in await control.store.find(BudgetRow, BudgetRow.id.in_(budget_ids))}
        if budget_ids
        else {}
    )
    views = [end_user_view(r, budgets.get(r.budget_id) if r.budget_id else None) for r in rows]
    await respond(exchange, views)


async def delete_customers(exchange: Exchange) -> None:
    control = control_of(exchange)
    user_ids = _user_ids(json_body(exchange))
    rows = await control.store.find(EndUserRow, EndUserRow.id.in_(user_ids))
    missing = sorted(set(user_ids) - {r.id for r in rows})
    if missing:
        raise NotFoundError(
            f"end users {', '.join(repr(m) for m in missing)} do not exist", param="user_ids"
        )
    async with control.store.session() as session, session.begin():
        await session.execute(delete(EndUserRow).where(EndUserRow.id.in_(user_ids)))
    for row in rows:
        await control.changed("end_user", row.id)
        await audit(
            exchange, "customer.delete", "end_user", row.id, before=end_user_view(row, None)
        )
    await respond(
        exchange,
        {
            "deleted_customers": len(rows),
            "message": f"Successfully deleted customers with ids: {user_ids}",
        },
    )


async def block_customers(exchange: Exchange) -> None:
    """Blocks the end users, creating those not yet known (as LiteLLM): a customer can be
    blocked before their first request."""
    control = control_of(exchange)
    views = []
    for user_id in _user_ids(json_body(exchange)):
        created = False
        if await control.store.update(EndUserRow, user_id, {"blocked": True}) is None:
            try:
                await control.store.add(EndUserRow(id=user_id, blocked=True))
                created = True
            except IntegrityError:  # created meanwhile
                await control.store.update(EndUserRow, user_id, {"blocked": True})
        await control.changed("end_user", user_id)
        after = {"blocked": True, "created": created}
        await audit(exchange, "customer.block", "end_user", user_id, after=after)
        views.append(await _view(control, await _customer(control, user_id, "user_ids")))
    await respond(exchange, {"blocked_users": views})


async def unblock_customers(exchange: Exchange) -> None:
    control = control_of(exchange)
    user_ids = _user_ids(json_body(exchange))
    for user_id in user_ids:
        await _customer(control, user_id, "user_ids")
    views = []
    for user_id in user_ids:
        changed = await control.store.update(EndUserRow, user_id, {"blocked": False})
        if changed is None:
            raise NotFoundError(f"end user '{user_id}' does not exist", param="user_ids")
        await control.changed("end_user", user_id)
        await audit(exchange, "customer.unblock", "end_user", user_id, after={"blocked": False})
        views.append(await _view(control, changed[1]))
    await respond(exchange, {"unblocked_users": views})
