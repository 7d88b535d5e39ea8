"""``/spend/logs``, ``/global/spend/report``, ``/global/spend``.

Spend logs: proxy admins and viewers see every row; any other caller only its own key's
(an internal user: every key of theirs). Reports come from the daily aggregates.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import func, or_, select

from lockgate.errors import BadRequestError
from lockgate.gateway.exchange import Exchange
from lockgate.gateway.routes.admin.common import caller, control_of, query, query_int, respond
from lockgate.gateway.routes.admin.keys import find_key
from lockgate.store.spend_tables import DailySpendRow, DailyTagSpendRow, SpendLogRow

__all__ = ["global_spend", "spend_logs", "spend_report"]

_GROUPS: Final = {
    "team": ("teams", DailySpendRow.team_id),
    "key": ("keys", DailySpendRow.key_id),
    "user": ("users", DailySpendRow.user_id),
    "model": ("models", DailySpendRow.model),
}


def _day(params: dict[str, str], name: str) -> date | None:
    text = params.get(name)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadRequestError(f"'{name}' must be a date (YYYY-MM-DD)", param=name) from None


def _log_view(row: SpendLogRow) -> dict[str, Any]:
    return {
        "request_id": row.request_id,
        "call_type": row.route,
        "api_key": row.key_id,
        "spend": row.spend,
        "total_tokens": row.total_tokens,
        "prompt_tokens": row.prompt_tokens,
        "completion_tokens": row.completion_tokens,
        "cached_tokens": row.cached_tokens,
        "startTime": row.started_at,
        "endTime": row.started_at + timedelta(milliseconds=row.latency_ms),
        "latency_ms": row.latency_ms,
        "model": row.model,
        "model_group": row.model_group,
        "model_id": row.deployment,
        "user": row.user_id,
        "team_id": row.team_id,
        "organization_id": row.organization_id,
        "end_user": row.end_user,
        "request_tags": list(row.tags or []),
        "status": "success" if 0 < row.status < 400 else "failure",
        "status_code": row.status,
        "request_body": row.request_body,
    }


async def spend_logs(exchange: Exchange) -> None:
    control, principal = control_of(exchange), caller(exchange)
    params = query(exchange)
    limit = query_int(params, "limit", 100, maximum=1000)
    where = []
    if "api_key" in params:
        where.append(SpendLogRow.key_id == (await find_key(control, params["api_key"])).id)
    for name, column in (
        ("key_id", SpendLogRow.key_id),
        ("user_id", SpendLogRow.user_id),
        ("team_id", SpendLogRow.team_id),
        ("request_id", SpendLogRow.request_id),
        ("end_user", SpendLogRow.end_user),
        ("model", SpendLogRow.model_group),
    ):
        if name in params:
            where.append(column == params[name])
    start, end = _day(params, "start_date"), _day(params, "end_date")
    if start is not None:
        where.append(
            SpendLogRow.started_at >= datetime(start.year, start.month, start.day, tzinfo=UTC)
        )
    if end is not None:
        after = end + timedelta(days=1)
        where.append(
            SpendLogRow.started_at < datetime(after.year, after.month, after.day, tzinfo=UTC)
        )
    if not principal.can_view_all:
        own = SpendLogRow.key_id == principal.key_id
        if principal.user_id and principal.role == "internal_user":
            own = or_(own, SpendLogRow.user_id == principal.user_id)
        where.append(own)
    rows = await control.store.find(
        SpendLogRow, *where, order_by=SpendLogRow.id.desc(), limit=limit
    )
    await respond(exchange, [_log_view(r) for r in rows])


async def spend_report(exchange: Exchange) -> None:
    """Spend per day, grouped by team (default), key, user, model or tag."""
    control = control_of(exchange)
    params = query(exchange)
    group = params.get("group_by", "team")
    start, end = _day(params, "start_date"), _day(params, "end_date")
    if group == "tag":
        table: Any = DailyTagSpendRow
        plural, column = "tags", DailyTagSpendRow.tag
        sums = [func.sum(table.spend), func.sum(table.requests)]
    elif group in _GROUPS:
        table = DailySpendRow
        plural, column = _GROUPS[group]
        sums = [
            func.sum(table.spend),
            func.sum(table.requests),
            func.sum(table.prompt_tokens),
            func.sum(table.completion_tokens),
        ]
    else:
        raise BadRequestError("'group_by' must be team, key, user, model or tag", param="group_by")
    where = []
    if start is not None:
        where.append(table.day >= start.isoformat())
    if end is not None:
        where.append(table.day <= end.isoformat())
    query_ = select(table.day, column, *sums).where(*where).group_by(table.day, column)
    async with control.store.session() as session:
        rows = (await session.execute(query_.order_by(table.day, column))).all()
    days: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        entry: dict[str, Any] = {
            group: row[1],
            "total_spend": float(row[2] or 0.0),
            "total_requests": int(row[3] or 0),
        }
        if len(row) > 4:
            entry.update(prompt_tokens=int(row[4] or 0), completion_tokens=int(row[5] or 0))
        days[row[0]].append(entry)
    await respond(exchange, [{"group_by_day": d, plural: items} for d, items in days.items()])


async def global_spend(exchange: Exchange) -> None:
    control = control_of(exchange)
    async with control.store.session() as session:
        total = await session.scalar(select(func.sum(DailySpendRow.spend)))
    config = exchange.state.config.settings
    await respond(exchange, {"spend": float(total or 0.0), "max_budget": config.max_budget})
