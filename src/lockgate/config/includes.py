"""``include: [other.yaml, ...]``: LiteLLM's way of splitting a config over several files.

As in LiteLLM, each included file's top-level keys are merged into the including file:
a list (``model_list``) is extended, any other value replaces the including file's value
(reported in the warnings). An included file cannot include further files.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

from lockgate.config.errors import ConfigError
from lockgate.config.values import Context, as_map, as_seq, as_str
from lockgate.config.yaml_nodes import YEntry, YMap, YScalar, YSeq, compose_document, index_path

__all__ = ["IncludeReader", "apply_includes"]

# (path as written, the node naming it) -> (file text, source name). Raises ConfigError.
IncludeReader = Callable[[str, YScalar], tuple[str, str]]


def apply_includes(root: YMap, ctx: Context, read_include: IncludeReader | None) -> YMap:
    entry = root.entries.get("include")
    if entry is None:
        return root
    if read_include is None:
        raise ConfigError(
            "include needs the config to be loaded from a file",
            source=entry.value.source,
            line=entry.key_line,
            path="include",
        )
    if isinstance(entry.value, YScalar) and entry.value.value is None:
        files: tuple[tuple[str, YScalar], ...] = ()
    elif isinstance(entry.value, YScalar):
        files = ((as_str(entry.value, "include", ctx), entry.value),)
    else:
        files = tuple(_names(as_seq(entry.value, "include"), ctx))
    entries = {k: e for k, e in root.entries.items() if k != "include"}
    for name, node in files:
        text, source = read_include(name, node)
        included = compose_document(text, source)
        if included is None:
            continue
        for key, new in as_map(included, "").entries.items():
            _merge(entries, key, new, ctx)
    return YMap(MappingProxyType(entries), root.line, root.source)


def _names(seq: YSeq, ctx: Context) -> list[tuple[str, YScalar]]:
    names: list[tuple[str, YScalar]] = []
    for i, item in enumerate(seq.items):
        path = index_path("include", i)
        name = as_str(item, path, ctx)
        assert isinstance(item, YScalar)  # as_str accepts scalars only
        names.append((name, item))
    return names


def _merge(entries: dict[str, YEntry], key: str, new: YEntry, ctx: Context) -> None:
    if key == "include":
        raise ConfigError(
            "an included file cannot include further files",
            source=new.value.source,
            line=new.key_line,
            path="include",
        )
    current = entries.get(key)
    if current is not None and isinstance(current.value, YSeq) and isinstance(new.value, YSeq):
        merged = YSeq(
            current.value.items + new.value.items, current.value.line, current.value.source
        )
        entries[key] = YEntry(key, current.key_line, merged)
        return
    if current is not None:
        ctx.warn(
            new.value.source,
            new.key_line,
            key,
            f"replaces the value given in {current.value.source} on line {current.key_line}",
        )
    entries[key] = new
