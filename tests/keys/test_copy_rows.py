"""PostgreSQL's COPY text format, read as it streams in (the start-up key load)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from lockgate.keys.copy_rows import CopyTextRows
from tests.servers import postgres_database


class Received:
    def __init__(self) -> None:
        self.runs: list[list[list[str | None]]] = []

    def __call__(self, rows: Sequence[list[str | None]]) -> None:
        self.runs.append(list(rows))

    @property
    def rows(self) -> list[list[str | None]]:
        return [row for run in self.runs for row in run]


async def test_rows_split_anywhere_across_chunks_come_out_whole() -> None:
    stream = b"a\tb\tt\nc\td\tf\neee\tfff\tt\n"
    for cut in range(1, len(stream)):
        received = Received()
        rows = CopyTextRows(received)
        await rows(stream[:cut])
        await rows(stream[cut:])
        rows.finish()
        assert received.rows == [["a", "b", "t"], ["c", "d", "f"], ["eee", "fff", "t"]], cut
        assert all(received.runs), "no empty run is passed on"


async def test_a_stream_that_ends_inside_a_row_is_an_error() -> None:
    rows = CopyTextRows(Received())
    await rows(b"a\tb\nc\t")
    with pytest.raises(ValueError, match="inside a row"):
        rows.finish()


async def test_escapes_and_null_are_decoded() -> None:
    received = Received()
    rows = CopyTextRows(received)
    await rows(b"tab\\there\tback\\\\slash\t\\N\nnew\\nline\tcr\\r\\v\\b\\f\tx\n")
    rows.finish()
    assert received.rows == [
        ["tab\there", "back\\slash", None],
        ["new\nline", "cr\r\v\b\f", "x"],
    ]


async def test_what_postgresql_sends_reads_back_as_the_values_it_holds() -> None:
    """Against the real server: awkward text survives the round trip, split however the
    driver chooses to deliver it."""
    import asyncpg

    values = ["plain", "tab\there", "new\nline", "back\\slash", "cr\rhere", "ünïcødé", "\\N"]
    async with postgres_database() as url:
        connection = await asyncpg.connect(url)
        try:
            await connection.execute("CREATE TABLE t (n int, v text, w text)")
            await connection.executemany(
                "INSERT INTO t VALUES ($1, $2, $3)",
                [(n, v, None if n % 2 else v * 3) for n, v in enumerate(values * 2000)],
            )
            received = Received()
            rows = CopyTextRows(received)
            await connection.copy_from_query("SELECT n, v, w FROM t ORDER BY n", output=rows)
            rows.finish()
        finally:
            await connection.close()
    assert len(received.runs) > 1  # it did arrive in pieces
    expected = [[str(n), v, None if n % 2 else v * 3] for n, v in enumerate(values * 2000)]
    assert received.rows == expected
