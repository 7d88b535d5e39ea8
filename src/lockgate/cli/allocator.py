"""The memory allocator `lockgate serve` runs on, chosen before its interpreter starts.

CPython's small-object allocator (``pymalloc``) keeps a 1 MiB arena while a single object
in it is alive. After a burst of requests (say 1,000 streams) a few dozen objects written
by its last requests stay alive anyway (metric values, router state, the event loop's
timers), scattered over the arenas the burst added, so about 20 MB of the burst never goes
back to the operating system. With ``PYTHONMALLOC=malloc`` every object lives in glibc's
heap, where the release after a burst (``lockgate/gateway/memory_release.py``) returns the
free pages around the survivors; it costs about a tenth more CPU per request.

``PYTHONMALLOC`` is read only when an interpreter starts, so `lockgate serve` replaces its
own process (``execve``: same pid, same arguments, same interpreter options) once, before
it loads anything else, with the variable set. Worker processes inherit it. An operator's
own ``PYTHONMALLOC`` always wins and is never replaced.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Final, Literal

__all__ = [
    "ALLOCATORS",
    "DEFAULT_ALLOCATOR",
    "ENV_VAR",
    "Allocator",
    "AllocatorError",
    "reexec_command",
    "resolve",
    "switch_allocator",
]

Allocator = Literal["malloc", "pymalloc"]
ALLOCATORS: Final[tuple[Allocator, ...]] = ("malloc", "pymalloc")
DEFAULT_ALLOCATOR: Final[Allocator] = "malloc"
ENV_VAR: Final = "LOCKGATE_ALLOCATOR"


class AllocatorError(ValueError):
    """An allocator name that is not one of ALLOCATORS."""


def resolve(flag: str | None, environ: Mapping[str, str]) -> Allocator:
    """The allocator asked for: the ``--allocator`` flag, else ``LOCKGATE_ALLOCATOR``, else
    the default."""
    name = flag if flag is not None else environ.get(ENV_VAR, DEFAULT_ALLOCATOR)
    for allocator in ALLOCATORS:
        if name == allocator:
            return allocator
    source = "--allocator" if flag is not None else ENV_VAR
    raise AllocatorError(f"{source} must be one of {', '.join(ALLOCATORS)}, not {name!r}")


def reexec_command(
    allocator: Allocator, environ: Mapping[str, str], orig_argv: list[str]
) -> tuple[list[str], dict[str, str]] | None:
    """The argv and environment to re-execute this process with, or None when it already runs
    on what was asked (or the operator set ``PYTHONMALLOC`` themselves)."""
    if "PYTHONMALLOC" in environ:
        return None
    if allocator == "pymalloc":  # the interpreter's default
        return None
    return list(orig_argv), {**environ, "PYTHONMALLOC": allocator}


def switch_allocator(allocator: Allocator) -> None:
    """Replaces this process with itself on ``allocator`` (never returns) when needed."""
    command = reexec_command(allocator, os.environ, sys.orig_argv)
    if command is None:
        return
    argv, environ = command
    sys.stdout.flush()
    sys.stderr.flush()
    # The same interpreter with its own arguments: nothing here comes from a request.
    os.execve(sys.executable, argv, environ)  # noqa: S606
