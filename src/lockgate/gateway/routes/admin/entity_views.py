"""Teams, users and organisations as the admin API shows them (LiteLLM's field names)."""

from __future__ import annotations

from typing import Any

from lockgate.store.access_tables import (
    LimitColumns,
    MembershipRow,
    OrganizationRow,
    TeamRow,
    UserRow,
)

__all__ = ["limits_view", "membership_view", "org_view", "team_view", "user_view"]


def limits_view(row: LimitColumns) -> dict[str, Any]:
    return {
        "models": list(row.models or []),
        "metadata": dict(row.metadata_ or {}),
        "spend": row.spend,
        "max_budget": row.max_budget,
        "soft_budget": row.soft_budget,
        "budget_duration": row.budget_duration,
        "tpm_limit": row.tpm_limit,
        "rpm_limit": row.rpm_limit,
        "max_parallel_requests": row.max_parallel_requests,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def membership_view(row: MembershipRow) -> dict[str, Any]:
    return {"user_id": row.user_id, "role": row.role}


def team_view(row: TeamRow, members: list[MembershipRow] | None = None) -> dict[str, Any]:
    view: dict[str, Any] = {
        "team_id": row.id,
        "team_alias": row.alias,
        "organization_id": row.organization_id,
        "blocked": row.blocked,
        **limits_view(row),
    }
    if members is not None:
        view["members_with_roles"] = [membership_view(m) for m in members]
    return view


def user_view(row: UserRow) -> dict[str, Any]:
    return {
        "user_id": row.id,
        "user_email": row.email,
        "user_alias": row.alias,
        "user_role": row.role,
        "organization_id": row.organization_id,
        **limits_view(row),
    }


def org_view(row: OrganizationRow) -> dict[str, Any]:
    return {"organization_id": row.id, "organization_alias": row.alias, **limits_view(row)}
