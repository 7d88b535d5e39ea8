"""Keys, teams, users, organisations and end users held in memory: the hot path reads only
this. The control plane fills it at start and replaces entries when they change."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from lockgate.gateway.auth import PROXY_ADMIN, Principal
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


class AccessCache:
    def __init__(self) -> None:
        self._by_digest: dict[str, CachedKey] = {}
        self._by_id: dict[str, CachedKey] = {}
        self._keys_of_user: dict[str, set[str]] = {}
        self.teams: dict[str, TeamRecord] = {}
        self.users: dict[str, UserRecord] = {}
        self.orgs: dict[str, OrgRecord] = {}
        self.end_users: dict[str, EndUserRecord] = {}

    def __len__(self) -> int:
        return len(self._by_id)

    def replace_all(self, snapshot: Snapshot) -> None:
        self.teams = {t.id: t for t in snapshot.teams}
        self.users = {u.id: u for u in snapshot.users}
        self.orgs = {o.id: o for o in snapshot.orgs}
        self.end_users = {e.id: e for e in snapshot.end_users}
        self._by_digest, self._by_id, self._keys_of_user = {}, {}, {}
        for record in snapshot.keys:
            self.put_key(record)

    # Keys.
    def key_by_digest(self, digest: str) -> CachedKey | None:
        return self._by_digest.get(digest)

    def key(self, key_id: str) -> KeyRecord | None:
        cached = self._by_id.get(key_id)
        return cached.record if cached is not None else None

    def put_key(self, record: KeyRecord) -> None:
        self.drop_key(record.id)
        cached = CachedKey(record, self._principal(record))
        self._by_digest[record.digest] = cached
        self._by_id[record.id] = cached
        if record.user_id:
            self._keys_of_user.setdefault(record.user_id, set()).add(record.id)

    def drop_key(self, key_id: str) -> None:
        old = self._by_id.pop(key_id, None)
        if old is None:
            return
        self._by_digest.pop(old.record.digest, None)
        if old.record.user_id:
            self._keys_of_user.get(old.record.user_id, set()).discard(key_id)

    def keys(self) -> Iterable[KeyRecord]:
        return [c.record for c in self._by_id.values()]

    # Users decide their keys' roles: re-derive those principals when a user changes.
    def put_user(self, record: UserRecord) -> None:
        self.users[record.id] = record
        self._refresh_keys_of(record.id)

    def drop_user(self, user_id: str) -> None:
        self.users.pop(user_id, None)
        self._refresh_keys_of(user_id)

    def _refresh_keys_of(self, user_id: str) -> None:
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
