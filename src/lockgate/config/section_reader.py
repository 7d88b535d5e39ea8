"""One mapping section of the file: sort its keys, then read the implemented ones.

On construction every key is classified (see :mod:`litellm_keys`): implemented keys wait
to be read through the typed getters; keys LiteLLM documents but lockgate does not
implement are reported in the warnings and dropped (never applied, never stored); refused
keys and unknown keys raise a :class:`ConfigError` naming the key and its line.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final, TypeVar

from lockgate.config.errors import ConfigError
from lockgate.config.values import (
    Context,
    FrozenValue,
    as_bool,
    as_float,
    as_int,
    as_map,
    as_plain_map,
    as_secret,
    as_str,
    as_str_tuple,
    is_empty,
)
from lockgate.config.yaml_nodes import YEntry, YNode, YScalar, child_path
from lockgate.security import Secret

__all__ = ["NOT_IMPLEMENTED", "SectionReader"]

T = TypeVar("T")

NOT_IMPLEMENTED: Final = "a LiteLLM setting lockgate does not implement: accepted and ignored"
_EMPTY: Final[Mapping[str, str]] = MappingProxyType({})


class SectionReader:
    """The keys of one mapping, classified, with typed getters for the implemented ones."""

    def __init__(
        self,
        node: YNode | None,
        path: str,
        ctx: Context,
        *,
        implemented: frozenset[str],
        documented: frozenset[str] = frozenset(),
        refused: Mapping[str, str] = _EMPTY,
    ) -> None:
        self.path = path
        self.ctx = ctx
        self._implemented = implemented
        self._read: set[str] = set()
        self._entries: Mapping[str, YEntry] = _EMPTY_ENTRIES
        self.line = node.line if node is not None else None
        self.source = node.source if node is not None else None
        if node is not None and not (isinstance(node, YScalar) and node.value is None):
            self._entries = as_map(node, path).entries
        for key, entry in self._entries.items():
            if key in implemented:
                continue
            key_path = child_path(path, key)
            reason = refused.get(key)
            if reason is not None and not is_empty(entry.value):
                raise ConfigError(
                    reason, source=entry.value.source, line=entry.key_line, path=key_path
                )
            if key in documented or reason is not None:
                ctx.warn(entry.value.source, entry.key_line, key_path, NOT_IMPLEMENTED)
                continue
            raise ConfigError(
                _unknown(key, implemented | documented),
                source=entry.value.source,
                line=entry.key_line,
                path=key_path,
            )

    def present_keys(self) -> tuple[str, ...]:
        return tuple(self._entries)

    def entry(self, key: str, *, keep_null: bool = False) -> YEntry | None:
        """The entry for an implemented key; None when absent (or null, unless keep_null)."""
        if key not in self._implemented:
            raise KeyError(f"{key!r} is not an implemented key of {self.path or 'the file'}")
        self._read.add(key)
        entry = self._entries.get(key)
        if entry is None or keep_null:
            return entry
        if isinstance(entry.value, YScalar) and entry.value.value is None:
            return None
        return entry

    def spelling(self, key: str, alias: str) -> str:
        """Which of two spellings of one key the mapping uses (``key`` when neither)."""
        first, second = self.entry(key, keep_null=True), self.entry(alias, keep_null=True)
        if first is not None and second is not None:
            raise ConfigError(
                f"give either {key} or {alias}, not both",
                source=second.value.source,
                line=second.key_line,
                path=self.key_path(alias),
            )
        return alias if second is not None else key

    def key_path(self, key: str) -> str:
        return child_path(self.path, key)

    def opt(self, key: str, read: Callable[[YNode, str, Context], T]) -> T | None:
        entry = self.entry(key)
        return None if entry is None else read(entry.value, self.key_path(key), self.ctx)

    def get(self, key: str, read: Callable[[YNode, str, Context], T], default: T) -> T:
        value = self.opt(key, read)
        return default if value is None else value

    def required(self, key: str, read: Callable[[YNode, str, Context], T]) -> T:
        value = self.opt(key, read)
        if value is None:
            raise ConfigError(
                "required key is missing",
                source=self.source,
                line=self.line,
                path=self.key_path(key),
            )
        return value

    # Typed shorthands.
    def opt_str(self, key: str) -> str | None:
        return self.opt(key, as_str)

    def opt_secret(self, key: str) -> Secret | None:
        return self.opt(key, as_secret)

    def opt_int(
        self, key: str, *, minimum: int | None = 0, maximum: int | None = None
    ) -> int | None:
        return self.opt(key, lambda n, p, c: as_int(n, p, c, minimum=minimum, maximum=maximum))

    def opt_float(self, key: str, *, minimum: float | None = 0.0) -> float | None:
        return self.opt(key, lambda n, p, c: as_float(n, p, c, minimum=minimum))

    def opt_bool(self, key: str) -> bool | None:
        return self.opt(key, as_bool)

    def flag(self, key: str, default: bool) -> bool:
        return self.get(key, as_bool, default)

    def str_tuple(self, key: str) -> tuple[str, ...]:
        return self.get(key, as_str_tuple, ())

    def plain_map(self, key: str) -> MappingProxyType[str, FrozenValue]:
        return self.get(key, as_plain_map, _EMPTY_PLAIN)

    def finish(self) -> None:
        """Guard against a builder that classified a key as implemented but never read it."""
        unread = [k for k in self._entries if k in self._implemented and k not in self._read]
        if unread:
            raise AssertionError(f"implemented keys never read in {self.path!r}: {unread}")


def _unknown(key: str, known: frozenset[str]) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.75)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"unknown key '{key}'{hint}"


_EMPTY_ENTRIES: Final[Mapping[str, YEntry]] = MappingProxyType({})
_EMPTY_PLAIN: Final[MappingProxyType[str, FrozenValue]] = MappingProxyType({})
