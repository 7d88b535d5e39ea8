"""What one spend batch adds to the aggregates: daily and tag spend, budget windows and the
entities' lifetime spend, summed in one pass over the records.

Rows come in no particular order (PostgreSQL's sink sorts them, SQLite needs no order).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date

from lockgate.spend.record import SpendRecord

__all__ = ["BatchSums", "DailyRow", "TagRow", "WindowRow"]

# (day, key_id, user_id, team_id, model, spend, prompt_tokens, completion_tokens, requests,
# failed_requests): the columns of lockgate_daily_spend.
DailyRow = tuple[str, str, str, str, str, float, int, int, int, int]
TagRow = tuple[str, str, float, int]  # (day, tag, spend, requests)
WindowRow = tuple[str, int, int]  # (scope, window, spend_nano)

# A group: (day, key, user, team, organization, end user, model). Wider than a daily row so
# the lifetime sums come from the few groups rather than from every record.
_Group = tuple[date, str, str, str, str, str, str]


class BatchSums:
    def __init__(self) -> None:
        # [spend, prompt_tokens, completion_tokens, requests, failed_requests]
        self._groups: dict[_Group, list[float]] = {}
        self._tags: dict[tuple[date, str], list[float]] = {}
        self._windows: dict[tuple[str, int], int] = {}

    def add(self, records: Sequence[SpendRecord]) -> None:
        groups, tag_sums, windows = self._groups, self._tags, self._windows
        for (
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
            prompt,
            completion,
            _,
            spend,
            _,
            status,
            tags,
            _,
            record_windows,
        ) in records:
            zone = started.tzinfo
            # The UTC day (a naive time is taken as UTC, as the column type does).
            day = (started if zone is UTC or zone is None else started.astimezone(UTC)).date()
            group = (day, key_id, user_id, team_id, organization_id, end_user, model_group or model)
            sums = groups.get(group)
            if sums is None:
                sums = groups[group] = [0.0, 0, 0, 0, 0]
            sums[0] += spend
            sums[1] += prompt
            sums[2] += completion
            sums[3] += 1
            if status >= 400 or status == 0:
                sums[4] += 1
            for tag in tags:
                tag_sum = tag_sums.get((day, tag))
                if tag_sum is None:
                    tag_sum = tag_sums[day, tag] = [0.0, 0]
                tag_sum[0] += spend
                tag_sum[1] += 1
            for scope, window, nano in record_windows:
                windows[scope, window] = windows.get((scope, window), 0) + nano

    def daily(self) -> list[DailyRow]:
        merged: dict[tuple[date, str, str, str, str], list[float]] = {}
        for (day, key_id, user_id, team_id, _, _, model), sums in self._groups.items():
            row = (day, key_id, user_id, team_id, model)
            into = merged.get(row)
            # Groups of one daily row differ by organization or end user: seldom several.
            merged[row] = sums if into is None else [a + b for a, b in zip(into, sums, strict=True)]
        days = {row[0]: row[0].isoformat() for row in merged}
        return [
            (days[day], k, u, t, m, s[0], int(s[1]), int(s[2]), int(s[3]), int(s[4]))
            for (day, k, u, t, m), s in merged.items()
        ]

    def tags(self) -> list[TagRow]:
        return [(day.isoformat(), tag, s[0], int(s[1])) for (day, tag), s in self._tags.items()]

    def windows(self) -> list[WindowRow]:
        return [(scope, window, nano) for (scope, window), nano in self._windows.items() if nano]

    def lifetime(self) -> dict[str, list[tuple[str, float]]]:
        """Spend to add per entity, by kind (``key``, ``user``, ``team``, ``organization``,
        ``end_user``): only entities named and with spend."""
        keys: dict[str, float] = {}
        users: dict[str, float] = {}
        teams: dict[str, float] = {}
        organizations: dict[str, float] = {}
        end_users: dict[str, float] = {}
        for (_, key_id, user_id, team_id, organization_id, end_user, _), s in self._groups.items():
            spend = s[0]
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
        kinds = {
            "key": keys,
            "user": users,
            "team": teams,
            "organization": organizations,
            "end_user": end_users,
        }
        return {kind: list(sums.items()) for kind, sums in kinds.items() if sums}
