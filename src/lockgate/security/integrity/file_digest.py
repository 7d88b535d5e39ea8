"""Read a file once: its size, its digest, and which indicator byte patterns it contains.

Every installed file is read for its RECORD hash anyway, so the indicator search rides along
on the same pass (patterns spanning two read chunks are found too).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CHUNK_BYTES", "SEARCH_BYTES", "FileDigest", "digest_file", "record_hash"]

CHUNK_BYTES = 1024 * 1024
# Indicator patterns are searched in the first part of each file only: scripts and modules
# fit, and searching every byte of large compiled libraries would double the scan time.
SEARCH_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class FileDigest:
    size: int
    digest: bytes  # raw digest in the requested algorithm
    marks: frozenset[str]  # names of the patterns found in the content

    @property
    def hexdigest(self) -> str:
        return self.digest.hex()


def record_hash(digest: bytes) -> str:
    """A digest as RECORD writes it: urlsafe base64 without padding."""
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def digest_file(
    path: Path | str,
    algorithm: str = "sha256",
    patterns: Mapping[str, tuple[bytes, ...]] | None = None,
) -> FileDigest:
    """Hash ``path`` (raises OSError when it cannot be read)."""
    hasher = hashlib.new(algorithm)
    wanted = dict(patterns or {})
    overlap = max((len(p) for group in wanted.values() for p in group), default=1) - 1
    marks: set[str] = set()
    size = 0
    tail = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            hasher.update(chunk)
            size += len(chunk)
            if wanted and size - len(chunk) < SEARCH_BYTES:
                window = tail + chunk
                for name in [n for n, group in wanted.items() if any(p in window for p in group)]:
                    marks.add(name)
                    del wanted[name]
                tail = window[-overlap:] if overlap else b""
    return FileDigest(size, hasher.digest(), frozenset(marks))
