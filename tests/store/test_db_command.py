from __future__ import annotations

from pathlib import Path

import pytest

from lockgate.cli.main import main
from lockgate.store.migrate import head_revision


def test_db_upgrade_and_current(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade", "--data-dir", str(tmp_path)]) == 0
    assert main(["db", "current", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"database at revision {head_revision()}" in out
    assert (tmp_path / "lockgate.db").exists()
