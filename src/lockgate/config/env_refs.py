"""``os.environ/NAME`` references: LiteLLM's way of reading a value from the environment.

A string value that starts with ``os.environ/`` is replaced by the variable's value. Only a
whole value is a reference (as in LiteLLM); there is no interpolation inside a string.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

__all__ = ["ENV_PREFIX", "MissingEnvVar", "env_ref_name", "resolve_env_ref"]

ENV_PREFIX: Final = "os.environ/"
_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")


class MissingEnvVar(LookupError):
    """The referenced variable is not set (or the reference names no variable)."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(reason)
        self.name = name
        self.reason = reason


def env_ref_name(value: str) -> str | None:
    """The variable name if ``value`` is an ``os.environ/NAME`` reference, else None."""
    if not value.startswith(ENV_PREFIX):
        return None
    return value[len(ENV_PREFIX) :].strip()


def resolve_env_ref(name: str, env: Mapping[str, str]) -> str:
    """The value of variable ``name``; :class:`MissingEnvVar` if it is unset or malformed."""
    if not _NAME.fullmatch(name):
        raise MissingEnvVar(name, f"'{ENV_PREFIX}{name}' does not name an environment variable")
    value = env.get(name)
    if value is None:
        raise MissingEnvVar(
            name, f"environment variable {name} is not set (referenced as {ENV_PREFIX}{name})"
        )
    return value
