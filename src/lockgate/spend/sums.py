"""What one spend batch adds to the aggregates: daily and tag spend, budget windows and the
entities' lifetime spend.

A record only joins its group's list (one dictionary lookup); the groups' sums are taken
once per batch with ``sum(map(...))``, which adds in C rather than one Python operation per
record and column. Rows come in no particular order (PostgreSQL's sink sorts them, SQLite
needs no order).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, timedelta
from operator import itemgetter

from lockgate.spend.record import SpendRecord, micros

__all__ = ["BatchSums", "DailyRow", "TagRow", "WindowRow"]

# (day, key_id, user_id, team_id, model, spend, prompt_tokens, completion_tokens, requests,
# failed_requests): the columns of lockgate_daily_spend.
DailyRow = tuple[str, str, str, str, str, float, int, int, int, int]
TagRow = tuple[str, str, float, int]  # (day, tag, spend, requests)
WindowRow = tuple[str, int, int]  # (scope, window, spend_nano)

# A group: (UTC day number since the epoch, key, user, team, organization, end user, model).
# Wider than a daily row so the lifetime sums come from the few groups rather than from
# every record.
_Group = tuple[int, str, str, str, str, str, str]
# A group's [spend, prompt_tokens, completion_tokens, requests, failed_requests].
_Totals = list[float]

_DAY_US = 86_400_000_000
_EPOCH_DAY = date(1970, 1, 1)
_SPEND = itemgetter(14)
_PROMPT = itemgetter(11)
_COMPLETION = itemgetter(12)


@functools.lru_cache(maxsize=64)
def _day_text(day: int) -> str:
    return (_EPOCH_DAY + timedelta(days=day)).isoformat()


class BatchSums:
    def __init__(self) -> None:
        self._groups: dict[_Group, list[SpendRecord]] = {}
        self._failed: dict[_Group, int] = {}
        self._tags: dict[tuple[int, str], list[float]] = {}  # the spends
        self._windows: dict[tuple[str, int], int] = {}
        self._totals: dict[_Group, _Totals] | None = None

    def add(self, records: Sequence[SpendRecord]) -> None:
        groups, failed, tag_spends, windows = self._groups, self._failed, self._tags, self._windows
        self._totals = None
        for record in records:
            (
                _,
                started,
                _,
                key_id,
                user_id,
                team_id,
                organization_id,
                end_user,
                model,
                model_group,
                _,
                _,
                _,
                _,
                spend,
                _,
                status,
                tags,
                _,
                record_windows,
            ) = record
            # The UTC day (a naive datetime is taken as UTC, as the column type does).
            day = (started if type(started) is int else micros(started)) // _DAY_US
            group = (day, key_id, user_id, team_id, organization_id, end_user, model_group or model)
            members = groups.get(group)
            if members is None:
                groups[group] = [record]
            else:
                members.append(record)
            if status >= 400 or status == 0:
                failed[group] = failed.get(group, 0) + 1
            if tags:
                for tag in tags:
                    spends = tag_spends.get((day, tag))
                    if spends is None:
                        tag_spends[day, tag] = [spend]
                    else:
                        spends.append(spend)
            for scope, window, nano in record_windows:
                windows[scope, window] = windows.get((scope, window), 0) + nano

    def _group_totals(self) -> dict[_Group, _Totals]:
        """Each group's sums, taken once for both the daily rows and the lifetime spend."""
        totals = self._totals
        if totals is None:
            totals = self._totals = {}
            failed = self._failed
            for group, members in self._groups.items():
                if len(members) == 1:
                    only = members[0]
                    sums = [only[14], only[11], only[12], 1, failed.get(group, 0)]
                else:
                    sums = [
                        sum(map(_SPEND, members)),
                        sum(map(_PROMPT, members)),
                        sum(map(_COMPLETION, members)),
                        len(members),
                        failed.get(group, 0),
                    ]
                totals[group] = sums
        return totals

    def daily(self) -> list[DailyRow]:
        merged: dict[tuple[int, str, str, str, str], _Totals] = {}
        for (day, key_id, user_id, team_id, _, _, model), sums in self._group_totals().items():
            row = (day, key_id, user_id, team_id, model)
            into = merged.get(row)
            if into is None:
                merged[row] = sums
            else:  # groups of one daily row differ by organization or end user: seldom
                merged[row] = [a + b for a, b in zip(into, sums, strict=True)]
        rows: list[DailyRow] = []
        for (day, key_id, user_id, team_id, model), sums in merged.items():
            spend, prompt, completion, requests, failed = sums
            rows.append(
                (
                    _day_text(day),
                    key_id,
                    user_id,
                    team_id,
                    model,
                    spend,
                    int(prompt),
                    int(completion),
                    int(requests),
                    int(failed),
                )
            )
        return rows

    def tags(self) -> list[TagRow]:
        rows: list[TagRow] = []
        for (day, tag), spends in self._tags.items():
            rows.append((_day_text(day), tag, sum(spends), len(spends)))
        return rows

    def windows(self) -> list[WindowRow]:
        rows: list[WindowRow] = []
        for (scope, window), nano in self._windows.items():
            if nano:
                rows.append((scope, window, nano))
        return rows

    def lifetime(self) -> dict[str, list[tuple[str, float]]]:
        """Spend to add per entity, by kind (``key``, ``user``, ``team``, ``organization``,
        ``end_user``): only entities named and with spend."""
        keys: dict[str, float] = {}
        users: dict[str, float] = {}
        teams: dict[str, float] = {}
        organizations: dict[str, float] = {}
        end_users: dict[str, float] = {}
        for (
            _,
            key_id,
            user_id,
            team_id,
            organization_id,
            end_user,
            _,
        ), sums in self._group_totals().items():
            spend = sums[0]
            if not spend:
                continue
            if key_id:
                keys[key_id] = keys.get(key_id, 0.0) + spend
            if user_id:
                users[user_id] = users.get(user_id, 0.0) + spend
            if team_id:
                teams[team_id] = teams.get(team_id, 0.0) + spend
            if organization_id:
                organizations[organization_id] = organizations.get(organization_id, 0.0) + spend
            if end_user:
                end_users[end_user] = end_users.get(end_user, 0.0) + spend
        lifetime: dict[str, list[tuple[str, float]]] = {}
        for kind, added in (
            ("key", keys),
            ("user", users),
            ("team", teams),
            ("organization", organizations),
            ("end_user", end_users),
        ):
            if added:
                lifetime[kind] = list(added.items())
        return lifetime
