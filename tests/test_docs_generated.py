"""Generated documentation is current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_providers_doc_is_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_providers_doc.py"), "--check"], check=False
    )
    assert result.returncode == 0, "docs/providers.md is stale: run scripts/gen_providers_doc.py"
