"""Keys as the admin API shows them: LiteLLM's field names, never the key nor its hash."""

from __future__ import annotations

from typing import Any

from lockgate.store.access_tables import KeyRow

__all__ = ["key_view"]


def key_view(row: KeyRow) -> dict[str, Any]:
    return {
        "token_id": row.id,
        "key_name": row.key_name,
        "key_alias": row.key_alias,
        "user_id": row.user_id,
        "team_id": row.team_id,
        "organization_id": row.organization_id,
        "models": list(row.models or []),
        "aliases": dict(row.aliases or {}),
        "tags": list(row.tags or []),
        "metadata": dict(row.metadata_ or {}),
        "spend": row.spend,
        "max_budget": row.max_budget,
        "soft_budget": row.soft_budget,
        "budget_duration": row.budget_duration,
        "tpm_limit": row.tpm_limit,
        "rpm_limit": row.rpm_limit,
        "max_parallel_requests": row.max_parallel_requests,
        "model_rpm_limit": dict(row.model_rpm_limit or {}),
        "model_tpm_limit": dict(row.model_tpm_limit or {}),
        "expires": row.expires,
        "blocked": row.blocked,
        "created_by": row.created_by,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }
