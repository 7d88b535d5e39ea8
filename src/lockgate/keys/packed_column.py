"""A column of fixed-width byte strings packed in one buffer, with a hash index: the row of
a value in about one probe, for a few bytes a row rather than a dict entry and two objects.

The index is open addressing with linear probing, kept at most half full: a slot holds
row + 1 (0 is empty) at the value's hash. That is ``hash()`` (SipHash, so values chosen to
collide do not make it slow), or, for values that are uniformly random already (keyed-hash
digests: ``uniform``), their first 8 bytes, read for a whole chunk at once (half the start-up
cost). The index is built as rows arrive, or, for a column rarely searched, on the first
search (``lazy``): nothing spent at start. Values are never removed; the owner marks rows
gone itself.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable

__all__ = ["PackedColumn"]


def _empty_slots(rows: int) -> array[int]:
    size = 8
    while size < 2 * rows:
        size *= 2
    return array("I", bytes(4 * size))


class PackedColumn:
    __slots__ = ("_blob", "_rows", "_slots", "uniform", "width")

    def __init__(
        self, width: int, capacity: int = 0, *, lazy: bool = False, uniform: bool = False
    ) -> None:
        if uniform and width % 8:
            raise ValueError("a uniform column's width is a multiple of 8 bytes")
        self.width, self.uniform = width, uniform
        self._blob = bytearray(width * capacity)
        self._rows = 0  # rows set (the buffer may have room for more)
        self._slots: array[int] | None = None if lazy else _empty_slots(capacity)

    def __len__(self) -> int:
        return self._rows

    def extend(self, values: bytes) -> None:
        """`values` (a multiple of `width` bytes) as the next rows."""
        width, start = self.width, self._rows
        count = len(values) // width
        if (start + count) * width > len(self._blob):
            self._blob.extend(bytes(2 * (start + count) * width - len(self._blob)))
        self._blob[start * width : (start + count) * width] = values
        self._rows = start + count
        if self._slots is None:
            return
        if 2 * (start + count) > len(self._slots):  # over half full: start over, larger
            self._slots = None
            self._index_all(2 * (start + count))
        else:
            self._index(values, start)

    def _index_all(self, room: int) -> None:
        """A new index of every row, with room for `room` rows."""
        self._slots = _empty_slots(room)
        self._index(bytes(memoryview(self._blob)[: self._rows * self.width]), 0)

    def _index(self, values: bytes, first: int) -> None:
        """Index `values`, the rows from `first` on."""
        slots = self._slots
        assert slots is not None
        mask = len(slots) - 1
        for row, value_hash in enumerate(self._hashes(values), first + 1):  # every key at start
            at = value_hash & mask
            while slots[at]:
                at = (at + 1) & mask
            slots[at] = row

    def _hashes(self, values: bytes) -> Iterable[int]:
        width = self.width
        if self.uniform:
            return array("Q", values)[:: width // 8]
        return [hash(values[at : at + width]) for at in range(0, len(values), width)]

    def _hash(self, value: bytes) -> int:
        return int.from_bytes(value[:8], sys.byteorder) if self.uniform else hash(value)

    def trim(self) -> None:
        """Give back the room reserved for rows that never came."""
        del self._blob[self._rows * self.width :]

    def value(self, row: int) -> bytes:
        width = self.width
        return bytes(self._blob[row * width : (row + 1) * width])

    def find(self, value: bytes) -> int:
        """The row holding `value`, or -1."""
        if self._slots is None:
            self._index_all(self._rows)
        slots = self._slots
        assert slots is not None
        blob, width = self._blob, self.width
        mask = len(slots) - 1
        at = self._hash(value) & mask
        while row := slots[at]:
            start = (row - 1) * width
            if blob[start : start + width] == value:
                return row - 1
            at = (at + 1) & mask
        return -1
