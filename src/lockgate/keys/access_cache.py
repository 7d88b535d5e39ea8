"""Keys, teams, users, organisations and end users held in memory: the hot path reads only
this. The control plane fills it at start and replaces entries when they change.

Every key is read at start (an unknown key is refused from memory, never with a query), but
a key's record and principal are built when it is first looked up: start-up with 100,000
keys then costs one fetch and a few appends a key, and the keys nobody calls with are never
built. Until built, a key is its row of the start-up query, packed (`lockgate.keys.key_table`).
"""

from __future__ import annotations

from collections.abc import Iterable
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
        self.teams: dict[str, TeamRecord] = {}
        self.users: dict[str, UserRecord] = {}
        self.orgs: dict[str, OrgRecord] = {}
        self.end_users: dict[str, EndUserRecord] = {}

    def __len__(self) -> int:
        return len(self._by_id) + len(self._unbuilt)

    def replace_all(self, snapshot: Snapshot) -> None:
        self.teams = {t.id: t for t in snapshot.teams}
        self.users = {u.id: u for u in snapshot.users}
        self.orgs = {o.id: o for o in snapshot.orgs}
        self.end_users = {e.id: e for e in snapshot.end_users}
        self._by_digest, self._by_id, self._keys_of_user = {}, {}, {}
        self._unbuilt = snapshot.key_table or KeyTable()
        for record in snapshot.keys:
            self.put_key(record)

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
        self.users[record.id] = record
        self._refresh_keys_of(record.id)

    def drop_user(self, user_id: str) -> None:
        self.users.pop(user_id, None)
        self._refresh_keys_of(user_id)

    def _refresh_keys_of(self, user_id: str) -> None:
        # Keys not built yet take the user's role when they are.
        for key_id in list(self._keys_of_user.get(user_id, ())):
            cached = self._by_id.get(key_id)
            if cached is not None:
                self.put_key(cached.record)

    def _principal(self, record: KeyRecord) -> Principal:
        user = self.users.get(record.user_id) if record.user_id else None
        role = user.role if user is not None else ""
        return Principal(
            key_id=record.id,
            is_admin=role == PROXY_ADMIN,
            team_id=record.team_id,
            user_id=record.user_id,
            organization_id=record.organization_id
            or (
                self.teams[record.team_id].organization_id if record.team_id in self.teams else None
            ),
            key_alias=record.key_alias,
            role=role,
            virtual=True,
        )
