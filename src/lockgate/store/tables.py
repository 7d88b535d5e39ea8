"""Every table of the store, in one metadata (what the migrations must produce)."""

from __future__ import annotations

from lockgate.store.access_tables import (
    BudgetRow,
    EndUserRow,
    KeyRow,
    MembershipRow,
    OrganizationRow,
    TeamRow,
    UserRow,
)
from lockgate.store.admin_tables import AuditRow, ModelDeploymentRow
from lockgate.store.base import Base
from lockgate.store.plain_keys import OTHER_KEYS_INDEX
from lockgate.store.spend_tables import (
    BudgetWindowRow,
    DailySpendRow,
    DailyTagSpendRow,
    SpendLogRow,
)

__all__ = [
    "OTHER_KEYS_INDEX",
    "AuditRow",
    "BudgetRow",
    "BudgetWindowRow",
    "DailySpendRow",
    "DailyTagSpendRow",
    "EndUserRow",
    "KeyRow",
    "MembershipRow",
    "ModelDeploymentRow",
    "OrganizationRow",
    "SpendLogRow",
    "TeamRow",
    "UserRow",
    "metadata",
]

metadata = Base.metadata
