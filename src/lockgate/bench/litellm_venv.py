"""`--vs litellm`: install LiteLLM's proxy into a throwaway venv inside the benchmark's temp dir.

Nothing is installed into lockgate's own environment; the venv goes when the run ends.
A failed install is reported, and the benchmark goes on without LiteLLM.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LITELLM_VERSION", "LiteLLMInstall", "install_litellm"]

LITELLM_VERSION = "1.100.5"


@dataclass(frozen=True, slots=True)
class LiteLLMInstall:
    executable: Path | None
    error: str | None = None


def _run(argv: list[str], timeout_s: float) -> str | None:
    """None when the command succeeded, else the end of its output."""
    try:
        done = subprocess.run(  # noqa: S603 - argv built here, no shell
            argv, capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        return f"timed out after {timeout_s:.0f}s"
    if done.returncode == 0:
        return None
    tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
    return f"exit {done.returncode}: " + " / ".join(tail)


def install_litellm(
    workdir: Path, version: str = LITELLM_VERSION, timeout_s: float = 900.0
) -> LiteLLMInstall:
    venv = workdir / "litellm-venv"
    error = _run([sys.executable, "-m", "venv", str(venv)], 120.0)
    if error is not None:
        return LiteLLMInstall(None, f"could not create a venv: {error}")
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    error = _run([*pip, "--disable-pip-version-check", f"litellm[proxy]=={version}"], timeout_s)
    if error is not None:
        return LiteLLMInstall(None, f"pip install litellm[proxy]=={version} failed: {error}")
    executable = venv / "bin" / "litellm"
    if not executable.exists():
        return LiteLLMInstall(None, "the litellm command is missing after the install")
    return LiteLLMInstall(executable)
