"""Build small wheels and virtual environments inside a test: nothing is downloaded.

``build_wheel`` writes a real wheel (zip, ``.dist-info`` with METADATA, WHEEL and a RECORD of
sha256 hashes); ``install_wheel`` unpacks it the way pip does (files in place, RECORD kept,
INSTALLER added to it); ``FixtureVenv`` is ``python -m venv --without-pip`` in a temp folder.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path


def record_digest(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def build_wheel(folder: Path, name: str, version: str, files: dict[str, bytes]) -> Path:
    """A py3-none-any wheel holding ``files`` (paths relative to site-packages)."""
    dist_info = f"{name}-{version}.dist-info"
    members = dict(files)
    members[f"{dist_info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n".encode()
    )
    members[f"{dist_info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: lockgate-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for path, data in sorted(members.items()):
        writer.writerow([path, record_digest(data), len(data)])
    writer.writerow([f"{dist_info}/RECORD", "", ""])
    members[f"{dist_info}/RECORD"] = record.getvalue().encode()
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in sorted(members.items()):
            archive.writestr(path, data)
    return wheel


def install_wheel(wheel: Path, site_dir: Path) -> None:
    """Unpack like an installer: every member in place, then INSTALLER added to RECORD."""
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site_dir)
        dist_info = next(n.split("/")[0] for n in archive.namelist() if ".dist-info/" in n)
    installer = b"lockgate-tests\n"
    (site_dir / dist_info / "INSTALLER").write_bytes(installer)
    record = site_dir / dist_info / "RECORD"
    line = f"{dist_info}/INSTALLER,{record_digest(installer)},{len(installer)}\n"
    record.write_text(record.read_text() + line)


@dataclass
class FixtureVenv:
    root: Path

    @classmethod
    def create(cls, root: Path) -> FixtureVenv:
        subprocess.run(
            [sys.executable, "-m", "venv", "--without-pip", str(root)], check=True, timeout=60
        )
        return cls(root)

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"

    @property
    def site_packages(self) -> Path:
        relative = Path(sysconfig.get_path("purelib")).relative_to(sysconfig.get_path("data"))
        return self.root / relative

    def install(self, folder: Path, name: str, version: str, files: dict[str, bytes]) -> Path:
        install_wheel(build_wheel(folder, name, version, files), self.site_packages)
        return self.site_packages


def write_lock(path: Path, pins: dict[str, str]) -> Path:
    """A lock file in scripts/lock's format (the hashes are placeholders)."""
    lines = ["# test lock"]
    for name, version in sorted(pins.items()):
        fake = hashlib.sha256(f"{name}=={version}".encode()).hexdigest()
        lines += [f"{name}=={version} \\", f"    --hash=sha256:{fake}"]
    path.write_text("\n".join(lines) + "\n")
    return path
