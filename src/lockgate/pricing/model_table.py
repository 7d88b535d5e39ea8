"""The model table: the packaged prices and limits, plus operator overrides."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import orjson

from lockgate.errors import NotFoundError
from lockgate.pricing.entry_schema import EntryError, denormalise_entry, normalise_entry
from lockgate.pricing.model_index import ModelIndex
from lockgate.pricing.model_info import ModelInfo
from lockgate.pricing.model_names import provider_family
from lockgate.pricing.override_file import read_override_file

__all__ = ["PACKAGED_TABLE_FILE", "SOURCE_KEY", "ModelTable", "get_model_info"]

PACKAGED_TABLE_FILE = "model_table.json"
# The header object of the packaged file; LiteLLM's own example entry is skipped like it.
SOURCE_KEY = "_source"
_NOT_MODELS = frozenset({SOURCE_KEY, "sample_spec"})
_MAX_LOOKUPS = 4096


class ModelTable:
    """An immutable set of model entries with an index for the names users write."""

    __slots__ = ("_entries", "_index", "_infos", "_lookups", "_overridden", "_source")

    def __init__(
        self,
        entries: Mapping[str, Mapping[str, Any]],
        *,
        source: Mapping[str, Any] | None = None,
        overridden: frozenset[str] = frozenset(),
    ) -> None:
        """``entries`` must already be normalised; use :meth:`from_entries` for raw ones."""
        self._entries = dict(entries)
        self._source = MappingProxyType(dict(source or {}))
        self._overridden = overridden
        # ModelInfo objects are built on first lookup: building all 3,400 up front would
        # triple the time of the first call. Filling this memo never changes what is seen.
        self._infos: dict[str, ModelInfo] = {}
        # Answers of lookup(): every priced call asks again for the same few model strings.
        self._lookups: dict[tuple[str, str | None], ModelInfo | None] = {}
        self._index = ModelIndex(
            {key: entry.get("provider") for key, entry in self._entries.items()},
            preferred=overridden,
        )

    @classmethod
    def packaged(cls) -> ModelTable:
        """The table shipped in the package (read on first use, then shared)."""
        return _packaged_table()

    @classmethod
    def from_entries(
        cls, entries: Mapping[str, Any], *, source: Mapping[str, Any] | None = None
    ) -> ModelTable:
        """A table from entries in LiteLLM's ``model_cost`` shape (or lockgate's compact one)."""
        normalised = {
            key: normalise_entry(_mapping(raw, key), where=repr(key))
            for key, raw in entries.items()
            if key not in _NOT_MODELS
        }
        return cls(normalised, source=source)

    @property
    def source(self) -> Mapping[str, Any]:
        """Where the prices come from (the packaged file's ``_source`` header)."""
        return self._source

    def with_overrides(
        self, path_or_mapping: str | os.PathLike[str] | Mapping[str, Any]
    ) -> ModelTable:
        """A new table with the operator's entries merged in (LiteLLM ``register_model`` rules).

        An entry whose key is already in the table (exactly, or as ``provider/<key>``) has its
        fields replaced one by one; other keys are added. A new ``provider/model`` key without
        ``litellm_provider`` gets its provider from the prefix.
        """
        if isinstance(path_or_mapping, Mapping):
            overrides, origin = path_or_mapping, "override"
        else:
            overrides, origin = read_override_file(path_or_mapping), os.fspath(path_or_mapping)
        entries = dict(self._entries)
        changed: set[str] = set()
        for key, raw in overrides.items():
            if key in _NOT_MODELS:
                continue
            if not isinstance(key, str) or not key:
                raise EntryError(f"{origin}: model names must be non-empty strings, not {key!r}")
            target = self._index.placement(key) or key
            merged = denormalise_entry(entries[target]) if target in entries else {}
            merged.update(_mapping(raw, f"{origin}: {key!r}"))
            if "litellm_provider" not in merged and "provider" not in merged:
                head, sep, _ = key.partition("/")
                if sep and provider_family(head) in self._index.families:
                    merged["litellm_provider"] = head
            entries[target] = normalise_entry(merged, where=f"{origin}: {key!r}")
            changed.add(target)
        return ModelTable(entries, source=self._source, overridden=self._overridden | changed)

    def lookup(self, model: str, provider: str | None = None) -> ModelInfo | None:
        """The entry for a model string as users write it, or ``None`` when unknown."""
        asked = (model, provider)
        try:
            return self._lookups[asked]
        except KeyError:
            pass
        key = self._index.resolve(model, provider)
        info = None if key is None else self._info(key)
        if len(self._lookups) >= _MAX_LOOKUPS:  # bounded: callers may name any model
            self._lookups.clear()
        self._lookups[asked] = info
        return info

    def get(self, key: str) -> ModelInfo | None:
        """The entry stored under exactly ``key``."""
        return self._info(key) if key in self._entries else None

    def _info(self, key: str) -> ModelInfo:
        info = self._infos.get(key)
        if info is None:
            info = self._infos[key] = ModelInfo.from_entry(key, self._entries[key])
        return info

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._entries))

    def __len__(self) -> int:
        return len(self._entries)


def get_model_info(
    model: str, provider: str | None = None, *, table: ModelTable | None = None
) -> ModelInfo:
    """The entry for ``model``; raises :class:`~lockgate.errors.NotFoundError` if unknown."""
    info = (table or ModelTable.packaged()).lookup(model, provider)
    if info is None:
        raise NotFoundError(
            f"model {model!r} is not in lockgate's model table; add it with a price override file",
            model=model,
            provider=provider,
        )
    return info


@cache
def _packaged_table() -> ModelTable:
    raw = resources.files("lockgate.pricing").joinpath(PACKAGED_TABLE_FILE).read_bytes()
    data: dict[str, Any] = orjson.loads(raw)
    source = data.pop(SOURCE_KEY, {})
    # The packaged entries were normalised by scripts/build_model_table.py (a test checks it).
    return ModelTable(data, source=source)


def _mapping(raw: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise EntryError(f"{where}: an entry must be a mapping of field to value")
    return raw
