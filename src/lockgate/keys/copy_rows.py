"""Rows out of PostgreSQL's ``COPY ... TO STDOUT`` text format, as they stream in.

The start-up load reads the plain keys' ids and digests this way: the server sends every
row in one stream while the gateway packs the ones already received, where a cursor would
wait for a round trip (and the server's work on the next rows) every thousand rows.

Text format: one row a line, columns separated by tabs; in a value, a backslash, tab,
newline, carriage return and the other control characters below are written as backslash
escapes (``COPY TO`` writes no octal or hex escapes), and NULL as ``\\N``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Final

__all__ = ["CopyTextRows"]

_ESCAPES: Final = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_ESCAPE: Final = re.compile(r"\\(.)")


def _value(text: str) -> str | None:
    if "\\" not in text:
        return text
    if text == "\\N":
        return None
    return _ESCAPE.sub(lambda match: _ESCAPES.get(match[1], match[1]), text)


Row = Sequence[str | None]  # read only: a list[str] is one too


def _rows(block: str) -> Sequence[Row]:
    """The rows of `block`: whole lines, each ending with a newline."""
    lines = block.split("\n")
    lines.pop()  # after the last newline: nothing
    if "\\" not in block:
        return [line.split("\t") for line in lines]
    return [[_value(value) for value in line.split("\t")] for line in lines]


class CopyTextRows:
    """The ``output`` of asyncpg's ``copy_from_query`` (text format): passes each run of
    whole rows received to `add`, as lists of values; call :meth:`finish` once the copy has
    returned."""

    def __init__(self, add: Callable[[Sequence[Row]], None]) -> None:
        self._add = add
        self._partial = b""  # a line whose end has not arrived yet

    async def __call__(self, data: bytes) -> None:
        end = data.rfind(b"\n") + 1
        if end == 0:
            self._partial += data
            return
        block = self._partial + data[:end] if self._partial else data[:end]
        self._partial = data[end:]
        self._add(_rows(block.decode()))

    def finish(self) -> None:
        if self._partial:
            raise ValueError("the COPY stream ended inside a row")
