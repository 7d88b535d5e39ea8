"""Keys, teams, users, organisations and end users held in memory: the hot path reads only
this. The control plane fills it at start and replaces entries when they change.

Every key is read at start (an unknown key is refused from memory, never with a query), but
a key's record and principal are built when it is first looked up: start-up with 100,000
keys then costs one fetch and a few appends a key, and the keys nobody calls with are never
built. Until built, a key is its row of the start-up query, packed (`lockgate.keys.key_table`).

Every change goes through a method, which bumps ``generation``: what the hot path derives
from the records (a key's limit buckets, its model checks) is kept while the generation it
was derived at is current, so a change applies to the very next request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from lockgate.gateway.auth import PROXY_ADMIN, Principal
from lockgate.keys import key_scan
from lockgate.keys.key_table import KeyTable, Row
from lockgate.keys.records import EndUserRecord, KeyRecord, OrgRecord, TeamRecord, UserRecord

__all__ = ["AccessCache", "CachedKey", "Snapshot"]


@dataclass(frozen=True, slots=True)
class CachedKey:
    record: KeyRecord
    principal: Principal


@dataclass(slots=True)
class Snapshot:
    keys: list[KeyRecord] = field(default_factory=list)
    teams: list[TeamRecord] = field(default_factory=list)
    users: list[UserRecord] = field(default_factory=list)
    orgs: list[OrgRecord] = field(default_factory=list)
    end_users: list[EndUserRecord] = field(default_factory=list)
    # Every key of the store, packed: turned into records on first lookup.
    key_table: KeyTable | None = None


class AccessCache:
    def __init__(self) -> None:
        self._by_digest: dict[str, CachedKey] = {}
        self._by_id: dict[str, CachedKey] = {}
        self._keys_of_user: dict[str, set[str]] = {}  # built keys only
        self._unbuilt = KeyTable()  # keys read at start, not looked up since
        # Read-only for everyone else (typed so): changes go through the methods below.
        self._teams: dict[str, TeamRecord] = {}
        self._users: dict[str, UserRecord] = {}
        self._orgs: dict[str, OrgRecord] = {}
        self._end_users: dict[str, EndUserRecord] = {}
        self.teams: Mapping[str, TeamRecord] = self._teams
        self.users: Mapping[str, UserRecord] = self._users
        self.orgs: Mapping[str, OrgRecord] = self._orgs
        self.end_users: Mapping[str, EndUserRecord] = self._end_users
        self.generation = 0  # bumped by every change

    def __len__(self) -> int:
        return len(self._by_id) + len(self._unbuilt)

    def replace_all(self, snapshot: Snapshot) -> None:
        self.teams = self._teams = {t.id: t for t in snapshot.teams}
        self.users = self._users = {u.id: u for u in snapshot.users}
        self.orgs = self._orgs = {o.id: o for o in snapshot.orgs}
        self.end_users = self._end_users = {e.id: e for e in snapshot.end_users}
        self._by_digest, self._by_id, self._keys_of_user = {}, {}, {}
        self._unbuilt = snapshot.key_table or KeyTable()
        for record in snapshot.keys:
            self.put_key(record)
        self.generation += 1

    # Keys.
    def key_by_digest(self, digest: str) -> CachedKey | None:
        cached = self._by_digest.get(digest)
        if cached is None:
            row = self._unbuilt.take_digest(digest)
            if row is not None:
                cached = self._build(row)
        return cached

    def key(self, key_id: str) -> KeyRecord | None:
        cached = self._by_id.get(key_id)
        if cached is None:
            row = self._unbuilt.take_id(key_id)
            if row is not None:
                cached = self._build(row)
        return cached.record if cached is not None else None

    def _build(self, row: Row) -> CachedKey:
        """A key read at start, taken from the table: its record and principal. (A key is
        in the table or built, never both: nothing to drop first.)"""
        return self._add(key_scan.record_of(row))

    def _add(self, record: KeyRecord) -> CachedKey:
        cached = CachedKey(record, self._principal(record))
        self._by_digest[record.digest] = cached
        self._by_id[record.id] = cached
        if record.user_id:
            self._keys_of_user.setdefault(record.user_id, set()).add(record.id)
        return cached

    def put_key(self, record: KeyRecord) -> None:
        self.drop_key(record.id)
        self._add(record)

    def drop_key(self, key_id: str) -> None:
        self.generation += 1
        self._unbuilt.take_id(key_id)
        old = self._by_id.pop(key_id, None)
        if old is None:
            return
        self._by_digest.pop(old.record.digest, None)
        if old.record.user_id:
            self._keys_of_user.get(old.record.user_id, set()).discard(key_id)

    def keys(self) -> Iterable[KeyRecord]:
        """Every key (builds those not built yet)."""
        for row in self._unbuilt.take_all():
            self._build(row)
        return [c.record for c in self._by_id.values()]

    def keys_with_budget(self) -> Iterable[KeyRecord]:
        """The keys with a ``max_budget``; builds only those (the start-up budget seeding)."""
        for row in self._unbuilt.take_with(key_scan.MAX_BUDGET):
            self._build(row)
        return [c.record for c in self._by_id.values() if c.record.limits.max_budget is not None]

    # Users decide their keys' roles: re-derive those principals when a user changes.
    def put_user(self, record: UserRecord) -> None:
        self.generation += 1
        self._users[record.id] = record
        self._refresh_keys_of(record.id)

    def drop_user(self, user_id: str) -> None:
        self.generation += 1
        self._users.pop(user_id, None)
        self._refresh_keys_of(user_id)

    # Teams, organisations and end users.
    def put_team(self, record: TeamRecord) -> None:
        self.generation += 1
        self._teams[record.id] = record

    def drop_team(self, team_id: str) -> None:
        self.generation += 1
        self._teams.pop(team_id, None)

    def put_org(self, record: OrgRecord) -> None:
        self.generation += 1
        self._orgs[record.id] = record

    def drop_org(self, org_id: str) -> None:
        self.generation += 1
        self._orgs.pop(org_id, None)

    def put_end_user(self, record: EndUserRecord) -> None:
        self.generation += 1
        self._end_users[record.id] = record

    def drop_end_user(self, end_user_id: str) -> None:
        self.generation += 1
        self._end_users.pop(end_user_id, None)

    def _refresh_keys_of(self, user_id: str) -> None:
        # Keys not built yet take the user's role when they are.
        for key_id in list(self._keys_of_user.get(user_id, ())):
            cached = self._by_id.get(key_id)
            if cached is not None:
                self.put_key(cached.record)

    def _principal(self, record: KeyRecord) -> Principal:
        user = self._users.get(record.user_id) if record.user_id else None
        role = user.role if user is not None else ""
        team = self._teams.get(record.team_id) if record.team_id else None
        return Principal(
            key_id=record.id,
            is_admin=role == PROXY_ADMIN,
            team_id=record.team_id,
            user_id=record.user_id,
            organization_id=record.organization_id
            or (team.organization_id if team is not None else None),
            key_alias=record.key_alias,
            role=role,
            virtual=True,
        )
