"""What ``lockgate verify`` found: failing findings, informational notes, and both forms of
the report (a JSON document for CI, lines of text for people)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["Finding", "Note", "Report", "ReportFormatError"]

REPORT_SCHEMA = "lockgate-verify/1"


class ReportFormatError(ValueError):
    """A report document that is not what the verifier writes."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason the environment fails verification. ``path`` names the file (or, for the
    lock comparison, the distribution); ``distribution`` is the owner where one is known."""

    check: str  # record | orphan | startup_hook | lock | indicator | scan
    kind: str
    path: str
    detail: str
    distribution: str = ""

    def line(self) -> str:
        owner = f" [{self.distribution}]" if self.distribution else ""
        return f"FAIL {self.check}/{self.kind}: {self.path}{owner}: {self.detail}"


@dataclass(frozen=True, slots=True)
class Note:
    """Something worth knowing that does not fail verification (an editable install, the
    allow-listed startup hooks, which lock matched)."""

    kind: str
    path: str
    detail: str

    def line(self) -> str:
        return f"note {self.kind}: {self.path}: {self.detail}"


@dataclass(frozen=True, slots=True)
class Report:
    findings: tuple[Finding, ...]
    notes: tuple[Note, ...] = ()
    site_packages: tuple[str, ...] = ()
    lock_files: tuple[str, ...] = ()
    distributions: int = 0
    files_hashed: int = 0
    files_cached: int = 0  # unchanged since an earlier scan verified them (serve's cache)

    @property
    def ok(self) -> bool:
        return not self.findings

    def paths(self, check: str | None = None, kind: str | None = None) -> list[str]:
        """The paths of the findings of one check (and kind): handy for tests and scripts."""
        return [
            f.path
            for f in self.findings
            if (check is None or f.check == check) and (kind is None or f.kind == kind)
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": REPORT_SCHEMA,
            "ok": self.ok,
            "summary": dict(Counter(f"{f.check}/{f.kind}" for f in self.findings)),
            "findings": [asdict(f) for f in self.findings],
            "notes": [asdict(n) for n in self.notes],
            "site_packages": list(self.site_packages),
            "lock_files": list(self.lock_files),
            "distributions": self.distributions,
            "files_hashed": self.files_hashed,
            "files_cached": self.files_cached,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Report:
        if data.get("schema") != REPORT_SCHEMA:
            raise ReportFormatError("not a lockgate verify report")
        try:
            return cls(
                findings=tuple(Finding(**f) for f in data["findings"]),
                notes=tuple(Note(**n) for n in data["notes"]),
                site_packages=tuple(data["site_packages"]),
                lock_files=tuple(data["lock_files"]),
                distributions=int(data["distributions"]),
                files_hashed=int(data["files_hashed"]),
                files_cached=int(data.get("files_cached", 0)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ReportFormatError(f"malformed report: {exc}") from None

    def render_text(self, *, verbose: bool = False) -> str:
        lines = [f.line() for f in self.findings]
        if verbose or not self.findings:
            lines += [n.line() for n in self.notes]
        cached = f" ({self.files_cached} unchanged since verified)" if self.files_cached else ""
        scope = (
            f"{self.distributions} distributions, {self.files_hashed} files hashed{cached}, "
            f"site-packages: {', '.join(self.site_packages) or 'none'}; "
            f"lock: {', '.join(self.lock_files) or 'none'}"
        )
        if self.ok:
            lines.append(f"lockgate verify: OK ({scope})")
        else:
            lines.append(f"lockgate verify: FAILED, {len(self.findings)} problem(s) ({scope})")
        return "\n".join(lines) + "\n"
