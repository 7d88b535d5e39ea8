"""The keys read at start and not used yet, packed: about 70 bytes a key instead of 300.

A key's digest (64 hex digits) is kept as its 32 bytes and its id (32 hex digits, a uuid4)
as 16, each in a `PackedColumn` (one buffer and a hash index) at the key's row number.
What else the row holds (alias, owner, limits, ...) is ``None`` for a key with nothing set
(most keys), else a tuple whose strings, and the tuple itself, are shared with every other
key holding the same. 100,000 plain keys take about 7 MB this way; as str-keyed dicts of
their rows they took about 27 MB. The buffers are sized once, from a count of the keys
taken before the load: grown as rows arrive, they would leave freed blocks the process
keeps (several MB of RSS).

Rows whose digest or id is not lowercase hex (never written by lockgate, but the store may
hold anything) are kept as they are, in a dict. The table never grows once built: keys
added or changed later are built records, held by the cache; a row taken out (the cache
built its key, or the key changed) is only marked gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress
from operator import itemgetter
from typing import Any, Final

from lockgate.keys.packed_column import PackedColumn

__all__ = ["DIGEST_BYTES", "ID_BYTES", "KeyTable", "KeyTableBuilder", "Row"]

# A row of the start-up query (`key_scan`): id, digest, then the other columns (the tail).
Row = tuple[Any, ...]

DIGEST_BYTES: Final = 32
ID_BYTES: Final = 16
_ID: Final = itemgetter(0)
_DIGEST: Final = itemgetter(1)
_TAIL: Final = itemgetter(slice(2, None))


def _has_upper(text: str) -> bool:
    return "A" in text or "B" in text or "C" in text or "D" in text or "E" in text or "F" in text


def _raw(text: Any, size: int) -> bytes | None:
    """``text``'s bytes when it is exactly `size` bytes in lowercase hex, else None."""
    if not isinstance(text, str) or len(text) != 2 * size or _has_upper(text):
        return None
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        return None
    return raw if len(raw) == size else None  # fromhex skips whitespace


def _raw_all(texts: list[Any], size: int) -> bytes | None:
    """The bytes of all `texts` end to end when `_raw` takes each, else None: one
    conversion for a chunk of rows. The texts are joined with spaces, which ``fromhex``
    skips: one at every 2 * `size` + 1th place and `size` bytes a text means each is
    2 * `size` hex digits (a space or other whitespace inside one would make fewer bytes)."""
    try:
        joined = " ".join(texts)
    except TypeError:  # not all str
        return None
    step, count = 2 * size + 1, len(texts)
    if len(joined) != step * count - 1 or joined[step - 1 :: step] != " " * (count - 1):
        return None
    if _has_upper(joined):
        return None
    try:
        raw = bytes.fromhex(joined)
    except ValueError:
        return None
    return raw if len(raw) == size * count else None


class KeyTable:
    """Every key of the store until it is first used (see the module's docstring).

    A row is taken out once: the cache then holds the key as a built record."""

    __slots__ = ("_digests", "_gone", "_ids", "_live", "_odd", "_odd_ids", "_plain", "_tails")

    def __init__(
        self,
        plain_tail: Row = (),
        digests: PackedColumn | None = None,
        ids: PackedColumn | None = None,
        tails: list[Row | None] | None = None,
        odd: dict[str, Row] | None = None,
    ) -> None:
        self._plain = plain_tail  # the tail of a row whose tail is kept as None
        self._digests = digests or PackedColumn(DIGEST_BYTES, uniform=True)
        self._ids = ids or PackedColumn(ID_BYTES, lazy=True)
        self._tails = tails or []  # a row's other columns, None when they are `_plain`
        self._gone = bytearray(len(self._tails))  # 1 at a row taken
        self._live = len(self._tails)
        self._odd = odd or {}  # digest -> row, for rows not packed
        self._odd_ids = {row[0]: digest for digest, row in self._odd.items()}

    def __len__(self) -> int:
        return self._live + len(self._odd)

    def _take(self, row: int) -> Row | None:
        """Row number `row` (-1: none), unless taken before; taken now."""
        if row < 0 or self._gone[row]:
            return None
        self._gone[row] = 1
        self._live -= 1
        ident, digest = self._ids.value(row).hex(), self._digests.value(row).hex()
        return (ident, digest, *(self._tails[row] or self._plain))

    def _take_odd(self, digest: str) -> Row | None:
        row = self._odd.pop(digest, None)
        if row is not None:
            del self._odd_ids[row[0]]
        return row

    def _find(self, column: PackedColumn, text: str) -> int:
        raw = _raw(text, column.width)
        return column.find(raw) if raw is not None else -1

    def take_digest(self, digest: str) -> Row | None:
        """The row of the key with this digest (hex), taken; None if none is left."""
        if digest in self._odd:
            return self._take_odd(digest)
        return self._take(self._find(self._digests, digest))

    def take_id(self, key_id: str) -> Row | None:
        """The row of the key with this id, taken; None if none is left. (The id index is
        built on the first call: keys change long after start, if ever.)"""
        odd = self._odd_ids.get(key_id)
        if odd is not None:
            return self._take_odd(odd)
        return self._take(self._find(self._ids, key_id))

    def take_all(self) -> list[Row]:
        """Every row left, taken."""
        live = [row for row, gone in enumerate(self._gone) if not gone]
        taken = [self._take(row) for row in live] + list(self._odd.values())
        self._odd, self._odd_ids = {}, {}
        return [row for row in taken if row is not None]

    def take_with(self, column: int) -> list[Row]:
        """The rows left whose `column` (a position in a row, after the digest) is set,
        taken."""
        at = column - 2
        live = [
            row
            for row, tail in enumerate(self._tails)
            if tail is not None and tail[at] is not None and not self._gone[row]
        ]
        odd = [row[1] for row in self._odd.values() if row[column] is not None]
        taken = [self._take(row) for row in live] + [self._take_odd(d) for d in odd]
        return [row for row in taken if row is not None]


class KeyTableBuilder:
    """Packs the rows of the start-up query as they arrive, then makes the table."""

    __slots__ = ("_digests", "_ids", "_odd", "_plain", "_shared", "_tails")

    def __init__(self, plain_tail: Row, expected: int) -> None:
        """`plain_tail`: the tail of a key with nothing set, kept as None (most keys);
        `expected`: how many rows will come (a count taken just before)."""
        self._plain = plain_tail
        self._digests = PackedColumn(DIGEST_BYTES, expected, uniform=True)
        self._ids = PackedColumn(ID_BYTES, expected, lazy=True)
        self._tails: list[Row | None] = [None] * expected
        self._odd: dict[str, Row] = {}
        self._shared: dict[Any, Any] = {}  # one object for each distinct string and tail

    def _shared_tail(self, tail: Row) -> Row:
        """`tail`, or the same tail kept before; its strings shared with other tails (team,
        user and organisation ids, model lists and limits are often the same across keys)."""
        try:
            kept: Row | None = self._shared.get(tail)
        except TypeError:  # a value that cannot be hashed: kept as it is
            return tail
        if kept is None:
            share = self._shared.setdefault
            kept = tuple(share(v, v) if isinstance(v, str) else v for v in tail)
            self._shared[tail] = kept
        return kept

    def add(self, rows: Sequence[Any]) -> None:
        """A chunk of rows of the start-up query."""
        start = self._pack(rows)
        if start < 0:  # some rows are not packed
            for row in rows:
                self._add_row(row)
            return
        self._set_tails(start, rows)

    def add_plain(self, rows: Sequence[Any]) -> None:
        """A chunk of rows of keys whose tail is the plain tail, as id and digest first
        (the store sends two columns a key rather than twenty: half the start-up cost)."""
        start = self._pack(rows)
        if start < 0:
            for row in rows:  # (more columns may follow: only the first two are read)
                self._add_row((row[0], row[1], *self._plain))
            return
        self._room(start + len(rows))  # a plain key's tail is None already

    def _pack(self, rows: Sequence[Any]) -> int:
        """Packs the ids and digests of `rows` and returns the row number of the first;
        -1, and nothing packed, when some of them cannot be."""
        raw_ids = _raw_all(list(map(_ID, rows)), ID_BYTES)
        raw_digests = _raw_all(list(map(_DIGEST, rows)), DIGEST_BYTES)
        if raw_ids is None or raw_digests is None:
            return -1
        start = len(self._ids)
        self._ids.extend(raw_ids)
        self._digests.extend(raw_digests)
        return start

    def _room(self, rows: int) -> None:
        """Tails for `rows` rows (more rows may come than were counted)."""
        if len(self._tails) < rows:
            self._tails.extend([None] * (rows - len(self._tails)))

    def _add_row(self, row: Any) -> None:
        ident, digest = row[0], row[1]
        raw_id, raw_digest = _raw(ident, ID_BYTES), _raw(digest, DIGEST_BYTES)
        if raw_id is None or raw_digest is None:
            self._odd[digest] = tuple(row)
            return
        start = len(self._ids)
        self._ids.extend(raw_id)
        self._digests.extend(raw_digest)
        self._set_tails(start, (row,))

    def _set_tails(self, start: int, rows: Sequence[Any]) -> None:
        """The tails of `rows`, rows `start` and on (iterators rather than a loop: this
        runs for every key at start, and most tails are plain)."""
        self._room(start + len(rows))
        tails = list(map(_TAIL, rows))
        for at, tail in compress(enumerate(tails, start), map(self._plain.__ne__, tails)):
            self._tails[at] = self._shared_tail(tuple(tail))

    def build(self) -> KeyTable:
        self._digests.trim()
        self._ids.trim()
        del self._tails[len(self._ids) :]
        return KeyTable(self._plain, self._digests, self._ids, self._tails, self._odd)
