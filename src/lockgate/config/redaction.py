"""Config objects as plain JSON-ready data with every secret redacted."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from lockgate.security import REDACTED, Secret

__all__ = ["redacted"]


def redacted(value: object) -> object:
    """Dataclasses become dicts (unset ``None`` fields left out), mappings dicts, tuples lists;
    a :class:`Secret` becomes ``"**********"``."""
    if isinstance(value, Secret):
        return REDACTED
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: redacted(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) is not None
        }
    if isinstance(value, Mapping):
        return {str(k): redacted(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [redacted(v) for v in value]
    return value
