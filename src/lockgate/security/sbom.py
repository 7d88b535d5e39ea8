"""A CycloneDX 1.5 JSON SBOM of a locked dependency set, read from the lock file itself.

Each pin becomes a ``library`` component with its package URL (``pkg:pypi/name@version``)
and every sha256 the lock accepts for it (one per wheel or sdist); an environment marker is
kept as a ``lockgate:marker`` property. The document is reproducible: the serial number is
derived from the locks' bytes and the timestamp comes from ``SOURCE_DATE_EPOCH`` when set.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from lockgate._version import __version__
from lockgate.security.integrity.lock_set import LockedPin, parse_lock

__all__ = ["build_sbom", "purl"]

SPEC_VERSION = "1.5"


def purl(name: str, version: str) -> str:
    return f"pkg:pypi/{quote(name, safe='-._')}@{quote(version, safe='-._!')}"


def _timestamp(environ: Mapping[str, str]) -> str:
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch.isdigit() else datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _component(pin: LockedPin, lock_label: str) -> dict[str, Any]:
    ref = purl(pin.name, pin.version)
    properties = [{"name": "lockgate:lock", "value": lock_label}]
    if pin.marker:
        properties.append({"name": "lockgate:marker", "value": pin.marker})
    return {
        "type": "library",
        "bom-ref": ref,
        "name": pin.name,
        "version": pin.version,
        "purl": ref,
        "hashes": [
            {"alg": "SHA-256", "content": value.split(":", 1)[1]}
            for value in pin.hashes
            if value.startswith("sha256:")
        ],
        "properties": properties,
    }


def build_sbom(
    locks: Sequence[Path],
    *,
    labels: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The SBOM of ``locks`` (their union). ``labels`` name the locks in the document
    (default: their file names), so absolute paths of the build machine stay out of it."""
    env = os.environ if environ is None else environ
    names = list(labels) if labels is not None else [p.name for p in locks]
    digest = hashlib.sha256()
    components: dict[str, dict[str, Any]] = {}
    for path, label in zip(locks, names, strict=True):
        digest.update(path.read_bytes())
        for pin in parse_lock(path):
            components.setdefault(f"{pin.name}@{pin.version}", _component(pin, label))
    project_ref = purl("lockgate", __version__)
    return {
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": uuid.uuid5(uuid.NAMESPACE_URL, "lockgate-sbom:" + digest.hexdigest()).urn,
        "version": 1,
        "metadata": {
            "timestamp": _timestamp(env),
            "tools": {
                "components": [{"type": "application", "name": "lockgate", "version": __version__}]
            },
            "component": {
                "type": "application",
                "bom-ref": project_ref,
                "name": "lockgate",
                "version": __version__,
                "purl": project_ref,
            },
        },
        "components": [components[key] for key in sorted(components)],
    }
