"""Known indicators of the March 2026 LiteLLM compromise (sources in docs/security.md).

- litellm 1.82.7 and 1.82.8 were published with a stolen PyPI token; 1.82.8 shipped
  ``litellm_init.pth`` (34,628 bytes, sha256 71e35aef...5238), run at every interpreter start.
- Persistence: ``~/.config/sysmon/sysmon.py`` started by the systemd user unit
  ``~/.config/systemd/user/sysmon.service``.
- Network: stolen data sent to ``models.litellm[.]cloud``; the backdoor polled
  ``checkmarx[.]zone`` (written defanged here).

Domains are stored as label tuples and joined at run time, so this module's own source and
bytecode never contain them (the content search would otherwise flag lockgate itself). The
content search also looks for the three base64 alignments of each domain, since the payload
was base64-encoded.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from lockgate.security.integrity.file_digest import digest_file
from lockgate.security.integrity.installed import InstalledDistribution
from lockgate.security.integrity.report import Finding

__all__ = [
    "COMPROMISED_RELEASES",
    "MALICIOUS_PTH_NAMES",
    "MALICIOUS_PTH_SHA256",
    "PERSISTENCE_PATHS",
    "check_distributions",
    "check_file_names",
    "check_home",
    "check_pth_hashes",
    "config_folders",
    "content_patterns",
    "exfiltration_domains",
    "marks_to_findings",
]

COMPROMISED_RELEASES: Mapping[str, frozenset[str]] = {"litellm": frozenset({"1.82.7", "1.82.8"})}
MALICIOUS_PTH_NAMES = frozenset({"litellm_init.pth"})
MALICIOUS_PTH_SHA256 = frozenset(
    {"71e35aef03099cd1f2d6446734273025a163597de93912df321ef118bf135238"}
)
# Relative to the user's configuration folder (~/.config or $XDG_CONFIG_HOME).
PERSISTENCE_PATHS: tuple[tuple[str, ...], ...] = (
    ("sysmon", "sysmon.py"),
    ("systemd", "user", "sysmon.service"),
)
_DOMAIN_LABELS: tuple[tuple[str, ...], ...] = (
    ("models", "litellm", "cloud"),
    ("checkmarx", "zone"),
)


def exfiltration_domains() -> tuple[str, ...]:
    return tuple(".".join(labels) for labels in _DOMAIN_LABELS)


def _base64_forms(text: bytes) -> list[bytes]:
    """The substrings base64 always produces for ``text``, at each of its 3 alignments."""
    forms = []
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + text)
        start = -(-8 * offset // 6)  # ceil: first character that depends only on ``text``
        end = 8 * (offset + len(text)) // 6
        forms.append(encoded[start:end])
    return forms


def content_patterns() -> dict[str, tuple[bytes, ...]]:
    """name → byte patterns: each domain, plain and base64-encoded."""
    return {
        domain: (domain.encode(), *_base64_forms(domain.encode()))
        for domain in exfiltration_domains()
    }


def marks_to_findings(marks: Iterable[tuple[str, str]]) -> list[Finding]:
    return [
        Finding(
            "indicator",
            "exfiltration_domain",
            path,
            f"contains {domain!r} (plain or base64), a domain of the 2026 LiteLLM compromise",
        )
        for path, domain in marks
    ]


def check_distributions(dists: Iterable[InstalledDistribution]) -> list[Finding]:
    return [
        Finding(
            "indicator",
            "compromised_release",
            str(d.meta_dir),
            f"{d.label} is a release published with the stolen token in March 2026",
            d.label,
        )
        for d in dists
        if d.version in COMPROMISED_RELEASES.get(d.canonical, frozenset())
    ]


def check_file_names(paths: Iterable[Path]) -> list[Finding]:
    return [
        Finding("indicator", "malicious_pth", str(p), "the file name of the LiteLLM 1.82.8 payload")
        for p in paths
        if p.name in MALICIOUS_PTH_NAMES
    ]


def check_pth_hashes(pth_sha256: Mapping[str, str]) -> list[Finding]:
    return [
        Finding("indicator", "malicious_pth", path, "sha256 of the LiteLLM 1.82.8 litellm_init.pth")
        for path, digest in sorted(pth_sha256.items())
        if digest in MALICIOUS_PTH_SHA256
    ]


def config_folders(home: Path, environ: Mapping[str, str]) -> list[Path]:
    folders = [home / ".config"]
    xdg = environ.get("XDG_CONFIG_HOME")
    if xdg and Path(xdg) not in folders:
        folders.append(Path(xdg))
    return folders


def check_home(home: Path, environ: Mapping[str, str] | None = None) -> list[Finding]:
    """The persistence files, and any systemd user unit that names an exfiltration domain."""
    env = os.environ if environ is None else environ
    findings: list[Finding] = []
    patterns = content_patterns()
    for config in config_folders(home, env):
        for parts in PERSISTENCE_PATHS:
            path = config.joinpath(*parts)
            if path.exists() or path.is_symlink():
                findings.append(
                    Finding(
                        "indicator",
                        "persistence",
                        str(path),
                        "persistence file of the LiteLLM 1.82.8 payload",
                    )
                )
        units = config / "systemd" / "user"
        try:
            unit_files = sorted(p for p in units.iterdir() if p.is_file())
        except OSError:
            continue
        for unit in unit_files:
            try:
                marks = digest_file(unit, "sha256", patterns).marks
            except OSError:
                continue
            findings.extend(marks_to_findings((str(unit), m) for m in sorted(marks)))
    return findings
