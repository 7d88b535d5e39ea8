"""Keys, teams, users, organisations and end users held in memory: the hot path reads only
this. The control plane fills it at start and replaces entries when they change.

Every key is read at start (an unknown key is refused from memory, never with a query), but
a key's record and principal are built when it is first looked up: start-up with 100,000
keys then costs one fetch and two dict inserts a key, and the keys nobody calls with are
never built. Until built, a key is its row of the start-up query (`lockgate.keys.key_scan`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from lockgate.gateway.auth import PROXY_ADMIN, Principal
from lockgate.keys import key_scan
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
    # Every key of the store, compact: turned into records on first lookup.
    key_index: key_scan.KeyIndex | None = None


class AccessCache:
    def __init__(self) -> None:
        self._by_digest: dict[str, CachedKey] = {}
        self._by_id: dict[str, CachedKey] = {}
        self._keys_of_user: dict[str, set[str]] = {}
        # Keys not built yet: digest -> what `key_scan.compact` kept of the row; id -> digest.
        self._unbuilt: dict[str, Any] = {}
        self._unbuilt_ids: dict[str, str] = {}
        self.teams: dict[str, TeamRecord] = {}
        self.users: dict[str, UserRecord] = {}
        self.orgs: dict[str, OrgRecord] = {}
        self.end_users: dict[str, EndUserRecord] = {}

    def __len__(self) -> int:
        return len(self._by_id) + len(self._unbuilt_ids)

    def replace_all(self, snapshot: Snapshot) -> None:
        self.teams = {t.id: t for t in snapshot.teams}
        self.users = {u.id: u for u in snapshot.users}
        self.orgs = {o.id: o for o in snapshot.orgs}
        self.end_users = {e.id: e for e in snapshot.end_users}
        index = snapshot.key_index or key_scan.KeyIndex()
        self._by_digest, self._by_id = {}, {}
        # The cache takes the index's dicts over.
        self._unbuilt, self._unbuilt_ids, self._keys_of_user = (
            index.kept,
            index.digests,
            index.of_user,
        )
        for record in snapshot.keys:
            self.put_key(record)

    # Keys.
    def key_by_digest(self, digest: str) -> CachedKey | None:
        cached = self._by_digest.get(digest)
        if cached is None and digest in self._unbuilt:
            cached = self._build(digest)
        return cached

    def key(self, key_id: str) -> KeyRecord | None:
        cached = self._by_id.get(key_id)
        if cached is None and key_id in self._unbuilt_ids:
            cached = self._build(self._unbuilt_ids[key_id])
        return cached.record if cached is not None else None

    def _build(self, digest: str) -> CachedKey:
        """A key read at start, looked up for the first time: its record and principal."""
        record = key_scan.record_of(key_scan.expand(digest, self._unbuilt[digest]))
        self._forget_unbuilt(record.id)
        cached = CachedKey(record, self._principal(record))
        self._by_digest[record.digest] = cached
        self._by_id[record.id] = cached
        return cached

    def _forget_unbuilt(self, key_id: str) -> None:
        digest = self._unbuilt_ids.pop(key_id, None)
        if digest is not None:
            self._unbuilt.pop(digest, None)

    def put_key(self, record: KeyRecord) -> None:
        self.drop_key(record.id)
        cached = CachedKey(record, self._principal(record))
        self._by_digest[record.digest] = cached
        self._by_id[record.id] = cached
        if record.user_id:
            self._keys_of_user.setdefault(record.user_id, set()).add(record.id)

    def drop_key(self, key_id: str) -> None:
        digest = self._unbuilt_ids.get(key_id)
        if digest is not None:
            user_id = key_scan.user_of(self._unbuilt[digest])
            self._forget_unbuilt(key_id)
            if user_id:
                self._keys_of_user.get(user_id, set()).discard(key_id)
        old = self._by_id.pop(key_id, None)
        if old is None:
            return
        self._by_digest.pop(old.record.digest, None)
        if old.record.user_id:
            self._keys_of_user.get(old.record.user_id, set()).discard(key_id)

    def keys(self) -> Iterable[KeyRecord]:
        """Every key (builds those not built yet)."""
        for digest in list(self._unbuilt):
            self._build(digest)
        return [c.record for c in self._by_id.values()]

    def keys_with_budget(self) -> Iterable[KeyRecord]:
        """The keys with a ``max_budget``; builds only those (the start-up budget seeding)."""
        for digest in [d for d, kept in self._unbuilt.items() if key_scan.has_budget(kept)]:
            self._build(digest)
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
