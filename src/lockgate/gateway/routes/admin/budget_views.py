"""Budgets and end users (customers) as the admin API reads and shows them, with LiteLLM's
field names (``LiteLLM_BudgetTable``, ``LiteLLM_EndUserTable``)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, Final

from lockgate.errors import BadRequestError, NotFoundError
from lockgate.gateway.control_plane import ControlPlane
from lockgate.gateway.routes.admin.fields import (
    Parser,
    json_object,
    opt_duration,
    opt_float,
    opt_int,
)
from lockgate.limits.windows import budget_window
from lockgate.store.access_tables import BudgetRow, EndUserRow

__all__ = [
    "BUDGET_FIELDS",
    "budget_of",
    "budget_settings_view",
    "budget_view",
    "end_user_view",
    "ident",
]


def _model_max_budget(value: Any, name: str) -> dict[str, Any]:
    data = json_object(value, name)
    if not all(isinstance(v, dict) for v in data.values()):
        raise BadRequestError(
            f"'{name}' must map model names to objects such as {{\"max_budget\": 10}}", param=name
        )
    return data


# LiteLLM field -> (attribute of BudgetRow, parser); type and description for /budget/settings.
BUDGET_FIELDS: Final[dict[str, tuple[str, Parser]]] = {
    "max_budget": ("max_budget", opt_float),
    "soft_budget": ("soft_budget", opt_float),
    "budget_duration": ("budget_duration", opt_duration),
    "tpm_limit": ("tpm_limit", opt_int),
    "rpm_limit": ("rpm_limit", opt_int),
    "max_parallel_requests": ("max_parallel_requests", opt_int),
    "model_max_budget": ("model_max_budget", _model_max_budget),
}
_SETTINGS: Final[dict[str, tuple[str, str]]] = {
    "max_parallel_requests": ("Integer", "Requests allowed at once"),
    "tpm_limit": ("Integer", "Tokens per minute"),
    "rpm_limit": ("Integer", "Requests per minute"),
    "budget_duration": ("String", "Reset period of max_budget (30s, 12h, 30d, 1mo); null: never"),
    "max_budget": ("Float", "Spend allowed per window, in USD"),
    "soft_budget": ("Float", "Alert threshold in USD (stored, not yet alerted on)"),
    "model_max_budget": ("Object", "Per-model budgets (stored, not enforced)"),
}


def ident(value: Any, name: str, *, max_length: int) -> str:
    """A required identifier: a non-empty string of at most ``max_length`` characters."""
    if value is None or value == "":
        raise BadRequestError(f"'{name}' is required", param=name)
    if not isinstance(value, str) or len(value) > max_length:
        raise BadRequestError(
            f"'{name}' must be a string of at most {max_length} characters", param=name
        )
    return value


async def budget_of(control: ControlPlane, budget_id: Any, name: str = "budget_id") -> BudgetRow:
    row = await control.store.get(BudgetRow, ident(budget_id, name, max_length=64))
    if row is None:
        raise NotFoundError(f"budget '{budget_id}' does not exist", param=name)
    return row


def _reset_at(duration: str | None, now: float) -> datetime | None:
    """When the current window ends (lockgate's windows are fixed UTC boundaries)."""
    if not duration:
        return None
    _, left = budget_window(duration, now)
    return datetime.fromtimestamp(now + left, UTC)


def budget_view(row: BudgetRow, now: float | None = None) -> dict[str, Any]:
    return {
        "budget_id": row.id,
        "max_budget": row.max_budget,
        "soft_budget": row.soft_budget,
        "max_parallel_requests": row.max_parallel_requests,
        "tpm_limit": row.tpm_limit,
        "rpm_limit": row.rpm_limit,
        "model_max_budget": dict(row.model_max_budget or {}),
        "budget_duration": row.budget_duration,
        "budget_reset_at": _reset_at(row.budget_duration, now or time.time()),
        "created_at": row.created_at,
        "created_by": row.created_by,
        "updated_at": row.updated_at,
        "updated_by": row.updated_by,
    }


def budget_settings_view(row: BudgetRow) -> list[dict[str, Any]]:
    """``/budget/settings``: each configurable field with its current value (LiteLLM's
    ``ConfigList`` shape)."""
    return [
        {
            "field_name": name,
            "field_type": kind,
            "field_description": description,
            "field_value": getattr(row, BUDGET_FIELDS[name][0]),
            "stored_in_db": True,
            "field_default_value": None,
        }
        for name, (kind, description) in _SETTINGS.items()
    ]


def end_user_view(row: EndUserRow, budget: BudgetRow | None) -> dict[str, Any]:
    return {
        "user_id": row.id,
        "alias": row.alias,
        "spend": row.spend,
        "blocked": row.blocked,
        "budget_id": row.budget_id,
        "allowed_model_region": row.allowed_model_region,
        "default_model": row.default_model,
        "metadata": dict(row.metadata_ or {}),
        "created_at": row.created_at,
        "litellm_budget_table": budget_view(budget) if budget is not None else None,
    }
