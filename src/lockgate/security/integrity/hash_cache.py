"""Remember which files already matched their RECORD hash, keyed by everything ``stat`` says
about them, so ``lockgate serve`` does not re-read hundreds of megabytes at every start.

A file is taken as verified without reading it only if its device, inode, size, mtime *and*
ctime are exactly those recorded when its content last matched the same RECORD hash. Writing a
file changes its ctime, which no unprivileged process can set back, so any change is re-read.
What this does not stop is someone who can write both the environment and this cache — but
that someone can rewrite RECORD files too (docs/security.md, "Limits"). ``lockgate verify``
uses no cache unless asked (``--cache``); the cache lives outside the environment verified
(``~/.cache/lockgate``), and a missing, unreadable or unwritable cache only costs time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["HashCache", "default_cache_file"]

_FORMAT = "lockgate-verify-cache/1"
_Key = tuple[int, int, int, int, int]


def default_cache_file(site_dirs: list[str], home: Path, cache_home: str | None) -> Path:
    """``$XDG_CACHE_HOME/lockgate/verify-<digest of the site folders>.json``."""
    digest = hashlib.sha256("\n".join(site_dirs).encode()).hexdigest()[:16]
    root = Path(cache_home) if cache_home else home / ".cache"
    return root / "lockgate" / f"verify-{digest}.json"


def _key(info: os.stat_result) -> _Key:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


@dataclass(slots=True)
class HashCache:
    path: Path | None = None
    _entries: dict[str, tuple[_Key, str]] = field(default_factory=dict)
    _seen: dict[str, tuple[_Key, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None) -> HashCache:
        cache = cls(path)
        if path is None:
            return cache
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cache
        if isinstance(data, dict) and data.get("format") == _FORMAT:
            for name, (key, digest) in data.get("entries", {}).items():
                if isinstance(key, list) and len(key) == 5 and isinstance(digest, str):
                    cache._entries[name] = (tuple(int(k) for k in key), digest)  # type: ignore[assignment]
        return cache

    def verified(self, path: str, info: os.stat_result, digest: str) -> bool:
        """True when ``path`` is unchanged since its content last matched ``digest``."""
        if self.path is None:
            return False
        if self._entries.get(path) == (_key(info), digest):
            self._seen[path] = (_key(info), digest)
            return True
        return False

    def remember(self, path: str, info: os.stat_result, digest: str) -> None:
        if self.path is not None:
            self._seen[path] = (_key(info), digest)

    def save(self) -> None:
        """Write the files verified in this scan (and only those); errors are ignored.
        Nothing is written when they are exactly the ones loaded (the usual start-up)."""
        if self.path is None or self._seen == self._entries:
            return
        data = {
            "format": _FORMAT,
            "entries": {name: [list(key), digest] for name, (key, digest) in self._seen.items()},
        }
        temporary = self.path.with_suffix(".tmp")
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            temporary.write_text(json.dumps(data), encoding="utf-8")
            os.replace(temporary, self.path)
