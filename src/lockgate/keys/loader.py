"""Read the store into cache records: everything at start, one entity when it changes."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from lockgate.keys.access_cache import AccessCache, Snapshot
from lockgate.keys.key_scan import read_key_table
from lockgate.keys.records import EndUserRecord, KeyRecord, OrgRecord, TeamRecord, UserRecord
from lockgate.keys.roles import TEAM_ADMIN
from lockgate.store import Store
from lockgate.store.access_tables import (
    BudgetRow,
    EndUserRow,
    KeyRow,
    MembershipRow,
    OrganizationRow,
    TeamRow,
    UserRow,
)

__all__ = ["AccessLoader"]


class AccessLoader:
    def __init__(self, store: Store, cache: AccessCache) -> None:
        self._store = store
        self._cache = cache

    async def load_all(self) -> None:
        # Keys with one lean query (see key_scan): 100,000 of them load in well under a second.
        key_table = await read_key_table(self._store)
        teams, users, orgs, members, end_users, budgets = await self._store.all_rows(
            [TeamRow, UserRow, OrganizationRow, MembershipRow, EndUserRow, BudgetRow]
        )
        admins: dict[str, set[str]] = defaultdict(set)
        team_members: dict[str, set[str]] = defaultdict(set)
        for m in members:
            if m.scope == "team":
                team_members[m.scope_id].add(m.user_id)
                if m.role == TEAM_ADMIN:
                    admins[m.scope_id].add(m.user_id)
        budget_by_id = {b.id: b for b in budgets}
        snapshot = Snapshot(
            key_table=key_table,
            teams=[TeamRecord.of(t, admins[t.id], team_members[t.id]) for t in teams],
            users=[UserRecord.of(u) for u in users],
            orgs=[OrgRecord.of(o) for o in orgs],
            end_users=[
                EndUserRecord.of(e, budget_by_id.get(e.budget_id) if e.budget_id else None)
                for e in end_users
            ],
        )
        self._cache.replace_all(snapshot)

    async def refresh(self, kind: str, ident: str) -> None:
        """Reload one entity (or drop it when it is gone)."""
        if kind == "key":
            key = await self._store.get(KeyRow, ident)
            if key is None:
                self._cache.drop_key(ident)
            else:
                self._cache.put_key(KeyRecord.of(key))
        elif kind == "team":
            await self._refresh_team(ident)
        elif kind == "user":
            user = await self._store.get(UserRow, ident)
            if user is None:
                self._cache.drop_user(ident)
            else:
                self._cache.put_user(UserRecord.of(user))
        elif kind == "org":
            org = await self._store.get(OrganizationRow, ident)
            if org is None:
                self._cache.drop_org(ident)
            else:
                self._cache.put_org(OrgRecord.of(org))
        elif kind == "end_user":
            await self._refresh_end_user(ident)
        elif kind == "budget":
            await self._refresh_budget(ident)
        elif kind == "all":
            await self.load_all()

    async def _refresh_team(self, ident: str) -> None:
        team = await self._store.get(TeamRow, ident)
        if team is None:
            self._cache.drop_team(ident)
            return
        async with self._store.session() as session:
            rows = (
                await session.scalars(
                    select(MembershipRow).where(
                        MembershipRow.scope == "team", MembershipRow.scope_id == ident
                    )
                )
            ).all()
        admins = [m.user_id for m in rows if m.role == TEAM_ADMIN]
        self._cache.put_team(TeamRecord.of(team, admins, [m.user_id for m in rows]))

    async def _refresh_end_user(self, ident: str) -> None:
        row = await self._store.get(EndUserRow, ident)
        if row is None:
            self._cache.drop_end_user(ident)
            return
        budget = await self._store.get(BudgetRow, row.budget_id) if row.budget_id else None
        self._cache.put_end_user(EndUserRecord.of(row, budget))

    async def _refresh_budget(self, ident: str) -> None:
        """A budget changed: every end user referencing it gets its new limits."""
        budget = await self._store.get(BudgetRow, ident)
        rows = await self._store.find(EndUserRow, EndUserRow.budget_id == ident)
        for row in rows:
            self._cache.put_end_user(EndUserRecord.of(row, budget))
        # End users the cache still ties to this budget but the store no longer does.
        current = {row.id for row in rows}
        for stale in [
            e.id
            for e in self._cache.end_users.values()
            if e.budget_id == ident and e.id not in current
        ]:
            await self._refresh_end_user(stale)
