"""The packed table of keys not used yet: rows come back exactly as the store gave them,
each is taken once, rows that cannot be packed still work, and it stays small."""

from __future__ import annotations

import secrets
import tracemalloc
from typing import Any

import pytest

from lockgate.keys.key_scan import MAX_BUDGET, PLAIN_TAIL
from lockgate.keys.key_table import KeyTable, KeyTableBuilder, _raw, _raw_all
from lockgate.keys.packed_column import PackedColumn


def _plain(ident: str | None = None, digest: str | None = None) -> tuple[Any, ...]:
    return (ident or secrets.token_hex(16), digest or secrets.token_hex(32), *PLAIN_TAIL)


def _with(column: int, value: Any, row: tuple[Any, ...] | None = None) -> tuple[Any, ...]:
    values = list(row or _plain())
    values[column] = value
    return tuple(values)


def _table(rows: list[tuple[Any, ...]], expected: int | None = None, chunk: int = 3) -> KeyTable:
    builder = KeyTableBuilder(PLAIN_TAIL, len(rows) if expected is None else expected)
    for start in range(0, len(rows), chunk):
        builder.add(rows[start : start + chunk])
    return builder.build()


def test_rows_come_back_exactly_and_are_taken_once() -> None:
    budget = _with(MAX_BUDGET, 2.5, _with(3, "user-1"))
    rows = [_plain(), _plain(), budget, _with(2, "alias"), _plain()]
    table = _table(rows)
    assert len(table) == 5
    assert table.take_digest(rows[2][1]) == budget
    assert table.take_digest(rows[2][1]) is None  # taken: the cache holds it now
    assert table.take_id(rows[0][0]) == rows[0]
    assert table.take_digest(rows[0][1]) is None  # taken by id: gone by digest too
    assert len(table) == 3
    assert table.take_digest(secrets.token_hex(32)) is None
    assert table.take_id(secrets.token_hex(16)) is None
    # Not hex, or the upper-case spelling of a stored digest: not that key.
    assert table.take_digest(rows[1][1].upper()) is None
    assert table.take_digest("not a digest") is None
    assert sorted(table.take_all()) == sorted([rows[1], rows[3], rows[4]])
    assert len(table) == 0 and table.take_all() == []


def test_rows_that_cannot_be_packed_are_kept_as_they_are() -> None:
    upper = _plain(digest=secrets.token_hex(32).upper())
    named = _with(MAX_BUDGET, 1.0, _plain(ident="k1"))
    short = _plain(digest="d" * 10)
    packed = _plain()
    table = _table([packed, upper, named, short], chunk=4)  # one chunk, packed and not
    assert len(table) == 4
    assert table.take_digest(upper[1]) == upper
    assert table.take_digest(upper[1].lower()) is None
    assert table.take_with(MAX_BUDGET) == [named]
    assert table.take_id("k1") is None
    assert table.take_id(short[0]) == short
    assert table.take_digest(packed[1]) == packed
    assert len(table) == 0


def test_more_or_fewer_rows_than_counted() -> None:
    rows = [_plain() for _ in range(50)]
    for expected in (0, 7, 50, 80):  # keys added or deleted between the count and the scan
        table = _table(rows, expected=expected, chunk=6)
        assert len(table) == 50
        assert all(table.take_digest(row[1]) == row for row in rows[::2])
        assert all(table.take_id(row[0]) == row for row in rows[1::2])
        assert len(table) == 0


def _fresh(text: str) -> str:
    """An equal string that is another object (as each row of a query brings)."""
    return "".join(list(text))


def test_equal_tails_and_their_strings_are_shared() -> None:
    first = _with(4, _fresh("team-1"), _with(3, _fresh("user-1")))
    second = _with(4, _fresh("team-1"), _with(3, _fresh("user-1")))
    third = _with(2, "alias", _with(4, _fresh("team-1")))
    assert first[4] is not second[4]
    table = _table([first, second, third], chunk=1)
    one, two, three = (table.take_digest(row[1]) for row in (first, second, third))
    assert one is not None and two is not None and three is not None
    assert one == first and two == second and three == third
    assert one[3] is two[3] and one[4] is two[4] is three[4]


def test_only_rows_with_the_column_set_are_taken() -> None:
    rows = [_plain(), _with(MAX_BUDGET, 10.0), _with(MAX_BUDGET - 1, "30d"), _plain()]
    table = _table(rows)
    assert table.take_with(MAX_BUDGET) == [rows[1]]
    assert table.take_with(MAX_BUDGET) == []
    assert len(table) == 3 and table.take_digest(rows[1][1]) is None


@pytest.mark.parametrize(
    "texts",
    [
        ["ab" * 16, "cd" * 16],
        ["ab" * 16, "AB" * 16],  # upper case
        ["ab" * 15 + "a ", "cd" * 16],  # a space inside: fromhex would skip it
        ["ab" * 15, "cd" * 17],  # right in total, wrong each
        ["ab" * 16, None],
        ["zz" * 16],
        ["0" * 32],
    ],
)
def test_a_chunk_converts_exactly_when_each_text_would(texts: list[Any]) -> None:
    each = [_raw(text, 16) for text in texts]
    expected = b"".join(r for r in each if r is not None) if None not in each else None
    assert _raw_all(texts, 16) == expected


@pytest.mark.parametrize("uniform", [True, False])
def test_values_alike_in_their_first_bytes_are_all_found(uniform: bool) -> None:
    """The index probes on when hashes collide (the first 8 bytes, for a uniform column)."""
    column = PackedColumn(16, 2, uniform=uniform)
    values = [b"\0" * 8 + secrets.token_bytes(8) for _ in range(40)]  # grows past 2 rows
    for start in range(0, 40, 3):
        column.extend(b"".join(values[start : start + 3]))
    assert [column.find(v) for v in values] == list(range(40))
    assert column.find(b"\0" * 16) == -1 and column.value(7) == values[7]


def test_a_lazy_column_indexes_on_its_first_search() -> None:
    column = PackedColumn(16, 10, lazy=True)
    values = [secrets.token_bytes(16) for _ in range(10)]
    column.extend(b"".join(values))
    column.trim()
    assert column.find(values[9]) == 9
    extra = secrets.token_bytes(16)
    column.extend(extra)  # indexed as it comes, once there is an index
    assert column.find(extra) == 10 and column.find(values[0]) == 0


def test_plain_keys_take_about_70_bytes_each() -> None:
    """As dicts of their rows keyed by hex digest, keys took about 270 bytes each."""
    count = 20_000
    rows = [_plain() for _ in range(count)]
    tracemalloc.start()
    try:
        table = _table(rows, chunk=1000)
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(table) == count
    assert held / count < 100, f"{held / count:.0f} bytes a key"


def test_plain_rows_given_as_id_and_digest_come_back_as_full_rows() -> None:
    plain = [_plain() for _ in range(7)]
    odd = [_plain(ident="k1"), _plain(digest="D" * 64)]  # not packed: kept as rows
    full = _with(MAX_BUDGET, 3.0)
    builder = KeyTableBuilder(PLAIN_TAIL, 4)  # fewer rows than come
    builder.add_plain([row[:2] for row in plain[:3]])
    builder.add([full])
    builder.add_plain([row[:2] for row in [plain[3], *odd]])
    builder.add_plain([row[:2] for row in plain[4:]])
    table = builder.build()
    assert len(table) == 10
    assert table.take_with(MAX_BUDGET) == [full]
    assert table.take_id("k1") == odd[0] and table.take_digest("D" * 64) == odd[1]
    assert all(table.take_digest(row[1]) == row for row in plain[::2])
    assert sorted(table.take_all()) == sorted(plain[1::2])
