"""The distributions installed in a site-packages folder, read from their metadata folders
(``*.dist-info``, or legacy ``*.egg-info``) without importing anything."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["InstalledDistribution", "canonical_name", "installed_distributions"]

_SEPARATORS = re.compile(r"[-_.]+")


def canonical_name(name: str) -> str:
    """PEP 503 normalisation: ``Typing_Extensions`` → ``typing-extensions``."""
    return _SEPARATORS.sub("-", name).lower()


@dataclass(frozen=True, slots=True)
class InstalledDistribution:
    name: str
    version: str
    site_dir: Path
    meta_dir: Path
    record: Path | None  # None: no RECORD (legacy egg-info, or a damaged install)
    editable_url: str | None = None  # set for editable installs (PEP 660 direct_url.json)

    @property
    def canonical(self) -> str:
        return canonical_name(self.name)

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"


def _headers(path: Path) -> dict[str, str]:
    """The first header block of a METADATA / PKG-INFO file (RFC 822 style)."""
    headers: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return headers
    for line in text.splitlines():
        if not line.strip():
            break
        key, sep, value = line.partition(":")
        if sep and not line[:1].isspace():
            headers.setdefault(key.strip().lower(), value.strip())
    return headers


def _editable_url(meta_dir: Path) -> str | None:
    try:
        data = json.loads((meta_dir / "direct_url.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    dir_info = data.get("dir_info")
    if isinstance(dir_info, dict) and dir_info.get("editable") is True:
        url = data.get("url")
        return url if isinstance(url, str) else ""
    return None


def _from_folder(site_dir: Path, meta_dir: Path) -> InstalledDistribution:
    if meta_dir.suffix == ".dist-info":
        headers = _headers(meta_dir / "METADATA")
        record: Path | None = meta_dir / "RECORD"
    else:
        headers = _headers(meta_dir / "PKG-INFO")
        record = None
    stem = meta_dir.name.rsplit(".", 1)[0]
    fallback_name, _, fallback_version = stem.partition("-")
    return InstalledDistribution(
        name=headers.get("name") or fallback_name,
        version=headers.get("version") or fallback_version.split("-")[0],
        site_dir=site_dir,
        meta_dir=meta_dir,
        record=record if record is not None and record.is_file() else None,
        editable_url=_editable_url(meta_dir),
    )


def installed_distributions(site_dir: Path) -> list[InstalledDistribution]:
    """Every distribution whose metadata folder sits directly in ``site_dir``, sorted."""
    try:
        entries = sorted(site_dir.iterdir())
    except OSError:
        return []
    found = [
        _from_folder(site_dir, entry)
        for entry in entries
        if entry.suffix in (".dist-info", ".egg-info") and entry.is_dir()
    ]
    return sorted(found, key=lambda d: (d.canonical, d.version))
