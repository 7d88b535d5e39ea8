"""Read an operator's model-price override file (JSON, or YAML by its .yaml / .yml suffix)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson

from lockgate.pricing.entry_schema import EntryError

__all__ = ["read_override_file"]


def read_override_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The file's top-level mapping of model key to entry (LiteLLM's ``model_cost`` shape)."""
    # PyYAML is imported here, not at module level: override files are rare and the import
    # costs about 20 ms on every ``import lockgate``.
    import yaml

    file = Path(path)
    raw = file.read_bytes()
    try:
        data = yaml.safe_load(raw) if _is_yaml(file) else orjson.loads(raw)
    except (yaml.YAMLError, orjson.JSONDecodeError) as exc:
        raise EntryError(f"{file}: not valid {_kind(file)}: {exc}") from None
    if not isinstance(data, dict):
        raise EntryError(f"{file}: the top level must be a mapping of model name to entry")
    return data


def _kind(file: Path) -> str:
    return "YAML" if _is_yaml(file) else "JSON"


def _is_yaml(file: Path) -> bool:
    return file.suffix.lower() in (".yaml", ".yml")
