"""Deterministic rerank scores: the share of the query's words a document contains."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["rerank_results"]

_WORD = re.compile(r"\w+")


def _score(query: str, document: str) -> float:
    words = {w.lower() for w in _WORD.findall(query)}
    if not words:
        return 0.0
    found = {w.lower() for w in _WORD.findall(document)}
    return round(0.05 + 0.9 * len(words & found) / len(words), 6)


def rerank_results(query: str, documents: list[str], top_n: int | None) -> list[dict[str, Any]]:
    scored = [{"index": i, "relevance_score": _score(query, d)} for i, d in enumerate(documents)]
    scored.sort(key=lambda r: (-r["relevance_score"], r["index"]))
    return scored[:top_n] if top_n else scored
