"""``/budget/*``: new, update, info, list, delete, settings. A budget holds limits
(``max_budget``, ``budget_duration``, ``rpm_limit``, ``tpm_limit``,
``max_parallel_requests``) that end users reference by ``budget_id``; each end user spends
against them separately. Proxy admins change budgets; viewers read them.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lockgate.errors import BadRequestError, NotFoundError
from lockgate.gateway.exchange import Exchange
from lockgate.gateway.routes.admin.budget_views import (
    BUDGET_FIELDS,
    budget_of,
    budget_settings_view,
    budget_view,
    ident,
)
from lockgate.gateway.routes.admin.common import (
    audit,
    caller,
    control_of,
    json_body,
    query,
    respond,
)
from lockgate.gateway.routes.admin.fields import opt_str, parse_fields, str_list
from lockgate.store.access_tables import BudgetRow, EndUserRow

__all__ = [
    "budget_info",
    "budget_settings",
    "delete_budget",
    "list_budgets",
    "new_budget",
    "update_budget",
]

# LiteLLM sets the first reset time; lockgate's windows are fixed UTC boundaries.
_ACCEPTED: frozenset[str] = frozenset({"budget_id", "budget_reset_at"})


def actor(exchange: Exchange) -> str:
    principal = caller(exchange)
    return principal.user_id or principal.key_id


async def new_budget(exchange: Exchange) -> None:
    control = control_of(exchange)
    body = json_body(exchange)
    values = parse_fields(body, BUDGET_FIELDS, consumed=_ACCEPTED)
    budget_id = opt_str(body.get("budget_id"), "budget_id") or str(uuid.uuid4())
    ident(budget_id, "budget_id", max_length=64)
    if await control.store.get(BudgetRow, budget_id) is not None:
        raise BadRequestError(f"budget '{budget_id}' already exists", param="budget_id")
    who = actor(exchange)
    row = BudgetRow(id=budget_id, created_by=who, updated_by=who, **values)
    try:
        await control.store.add(row)
    except IntegrityError:  # created meanwhile by another request
        raise BadRequestError(f"budget '{budget_id}' already exists", param="budget_id") from None
    view = budget_view(row)
    await audit(exchange, "budget.new", "budget", budget_id, after=view)
    await respond(exchange, view)


async def update_budget(exchange: Exchange) -> None:
    control = control_of(exchange)
    body = json_body(exchange)
    row = await budget_of(control, body.get("budget_id"))
    values = parse_fields(body, BUDGET_FIELDS, consumed=_ACCEPTED)
    values["updated_by"] = actor(exchange)
    changed = await control.store.update(BudgetRow, row.id, values)
    if changed is None:
        raise BadRequestError(f"budget '{row.id}' was deleted meanwhile", param="budget_id")
    await control.changed("budget", row.id)
    view = budget_view(changed[1])
    await audit(exchange, "budget.update", "budget", row.id, before=changed[0], after=view)
    await respond(exchange, view)


async def budget_info(exchange: Exchange) -> None:
    """POST ``{"budgets": [...]}``: the budgets among those ids that exist (as LiteLLM)."""
    control = control_of(exchange)
    budgets = str_list(json_body(exchange).get("budgets"), "budgets")
    if not budgets:
        raise BadRequestError("'budgets' is required: a list of budget ids", param="budgets")
    rows = await control.store.find(BudgetRow, BudgetRow.id.in_(budgets), order_by=BudgetRow.id)
    await respond(exchange, [budget_view(r) for r in rows])


async def list_budgets(exchange: Exchange) -> None:
    control = control_of(exchange)
    rows = await control.store.find(BudgetRow, order_by=BudgetRow.created_at)
    await respond(exchange, [budget_view(r) for r in rows])


async def delete_budget(exchange: Exchange) -> None:
    """POST ``{"id": ...}``. A budget that end users still reference is not deleted: that
    would silently lift their limits; move them to another budget first."""
    control = control_of(exchange)
    body = json_body(exchange)
    name = "budget_id" if "budget_id" in body and "id" not in body else "id"
    row = await budget_of(control, body.get(name), name)
    async with control.store.session() as session, session.begin():
        # Locked (PostgreSQL): linking an end user to this budget meanwhile waits for us.
        locked = await session.get(
            BudgetRow, row.id, with_for_update=control.store.dialect != "sqlite"
        )
        if locked is None:
            raise NotFoundError(f"budget '{row.id}' does not exist", param=name)
        users = list(
            (
                await session.scalars(
                    select(EndUserRow.id)
                    .where(EndUserRow.budget_id == row.id)
                    .order_by(EndUserRow.id)
                    .limit(6)
                )
            ).all()
        )
        if users:
            shown = ", ".join(f"'{u}'" for u in users[:5]) + (", ..." if len(users) > 5 else "")
            raise BadRequestError(
                f"budget '{row.id}' is used by end users {shown}: give them another budget"
                " (/customer/update with budget_id) before deleting it",
                param=name,
            )
        await session.delete(locked)
    await control.changed("budget", row.id)
    view = budget_view(row)
    await audit(exchange, "budget.delete", "budget", row.id, before=view)
    await respond(exchange, view)


async def budget_settings(exchange: Exchange) -> None:
    control = control_of(exchange)
    row = await budget_of(control, query(exchange).get("budget_id"))
    await respond(exchange, budget_settings_view(row))
