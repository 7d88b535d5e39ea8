"""`--profile FILE`: the gateway's hottest functions from the cProfile stats it wrote."""

from __future__ import annotations

import io
import pstats
from pathlib import Path

__all__ = ["profile_summary"]


def profile_summary(path: Path, limit: int = 25) -> str:
    """The `limit` functions with the most own time, then the most cumulative time."""
    out = io.StringIO()
    stats = pstats.Stats(str(path), stream=out)
    stats.strip_dirs()
    stats.sort_stats(pstats.SortKey.TIME).print_stats(limit)
    stats.sort_stats(pstats.SortKey.CUMULATIVE).print_stats(limit)
    return out.getvalue()
