"""Line-aware YAML: the document as a tree of located nodes (value, line, source file).

``yaml.compose`` with ``yaml.SafeLoader`` builds the node tree (safe_load semantics: only
the standard tags, nothing is ever instantiated); this module turns it into small frozen
nodes that remember where they were written, so every later error can name the line.
Duplicate keys, unsupported tags, non-scalar keys, recursive aliases and alias bombs are
rejected here. Merge keys (``<<: *defaults``) behave as in ``yaml.safe_load``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, TypeAlias

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from lockgate.config.errors import ConfigError

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_DEPTH",
    "MAX_NODES",
    "Scalar",
    "YEntry",
    "YMap",
    "YNode",
    "YScalar",
    "YSeq",
    "child_path",
    "compose_document",
    "describe",
    "index_path",
]

MAX_DEPTH: Final = 64
MAX_NODES: Final = 1_000_000
MAX_ALIAS_NODES: Final = 100_000  # nodes reached again through aliases (alias bombs)

_TAG: Final = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP, _MERGE = _TAG + "str", _TAG + "seq", _TAG + "map", _TAG + "merge"
_CONSTRUCTED: Final = frozenset({_TAG + "int", _TAG + "float", _TAG + "bool", _TAG + "null"})
_TIMESTAMP: Final = _TAG + "timestamp"
_PLAIN_KEY: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")

Scalar: TypeAlias = bool | int | float | str | None


@dataclass(frozen=True, slots=True)
class YScalar:
    value: Scalar
    line: int
    source: str


@dataclass(frozen=True, slots=True)
class YSeq:
    items: tuple[YNode, ...]
    line: int
    source: str


@dataclass(frozen=True, slots=True)
class YEntry:
    key: str
    key_line: int
    value: YNode


@dataclass(frozen=True, slots=True)
class YMap:
    entries: MappingProxyType[str, YEntry]  # in file order
    line: int
    source: str


YNode: TypeAlias = YScalar | YSeq | YMap


def child_path(parent: str, key: str) -> str:
    """``parent.key``, or ``parent["odd key"]`` when the key is not a plain word."""
    if _PLAIN_KEY.fullmatch(key):
        return f"{parent}.{key}" if parent else key
    return f"{parent}[{json.dumps(key)}]"


def index_path(parent: str, index: int) -> str:
    return f"{parent}[{index}]"


def describe(node: YNode) -> str:
    """How a value reads in an error message (type only: values may be secrets)."""
    if isinstance(node, YMap):
        return "a mapping"
    if isinstance(node, YSeq):
        return "a list"
    value = node.value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    return "a string"


def compose_document(text: str, source: str) -> YNode | None:
    """Parse one YAML document into located nodes; None for an empty document."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = ", ".join(part for part in (exc.context, exc.problem) if part)
        raise ConfigError(
            f"YAML syntax error: {problem or 'invalid YAML'}",
            source=source,
            line=mark.line + 1 if mark is not None else None,
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"YAML syntax error: {exc}", source=source) from None
    if root is None:
        return None
    return _Converter(source).convert(root, "", 0)


class _Converter:
    """One pass over a composed node tree. Holds only this parse's budget."""

    def __init__(self, source: str) -> None:
        self._source = source
        self._constructor = yaml.SafeLoader("")
        self._budget = MAX_NODES
        self._alias_budget = MAX_ALIAS_NODES
        self._seen: set[int] = set()
        self._active: set[int] = set()  # ids of collection nodes on the current path

    def _error(self, problem: str, node: Node, path: str) -> ConfigError:
        return ConfigError(problem, source=self._source, line=node.start_mark.line + 1, path=path)

    def convert(self, node: Node, path: str, depth: int) -> YNode:
        self._budget -= 1
        if self._budget < 0:
            raise self._error(f"document too large (more than {MAX_NODES} nodes)", node, path)
        if id(node) in self._seen:
            self._alias_budget -= 1
            if self._alias_budget < 0:
                limit = MAX_ALIAS_NODES
                raise self._error(f"aliases expand to more than {limit} nodes", node, path)
        else:
            self._seen.add(id(node))
        if depth > MAX_DEPTH:
            raise self._error(f"nested deeper than {MAX_DEPTH} levels", node, path)
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if id(node) in self._active:
            raise self._error("recursive alias", node, path)
        self._active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return self._sequence(node, path, depth)
            if isinstance(node, MappingNode):
                return self._mapping(node, path, depth)
        finally:
            self._active.discard(id(node))
        raise self._error("unsupported YAML node", node, path)  # pragma: no cover

    def _scalar(self, node: ScalarNode, path: str) -> YScalar:
        line = node.start_mark.line + 1
        if node.tag in (_STR, _TIMESTAMP):
            # A date such as 2024-02-01 is kept as written (e.g. an api_version).
            return YScalar(node.value, line, self._source)
        if node.tag in _CONSTRUCTED:
            value = self._constructor.construct_object(node)
            if value is None or isinstance(value, bool | int | float):
                return YScalar(value, line, self._source)
        raise self._error(f"unsupported YAML tag {node.tag}", node, path)

    def _sequence(self, node: SequenceNode, path: str, depth: int) -> YSeq:
        if node.tag != _SEQ:
            raise self._error(f"unsupported YAML tag {node.tag}", node, path)
        items = tuple(
            self.convert(item, index_path(path, i), depth + 1) for i, item in enumerate(node.value)
        )
        return YSeq(items, node.start_mark.line + 1, self._source)

    def _mapping(self, node: MappingNode, path: str, depth: int) -> YMap:
        if node.tag != _MAP:
            raise self._error(f"unsupported YAML tag {node.tag}", node, path)
        entries: dict[str, YEntry] = {}
        merges: list[Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merges.extend(self._merge_sources(value_node, path))
                continue
            key = self._key(key_node, path)
            key_path = child_path(path, key)
            first = entries.get(key)
            if first is not None:
                raise self._error(
                    f"duplicate key '{key}' (first defined on line {first.key_line})",
                    key_node,
                    key_path,
                )
            value = self.convert(value_node, key_path, depth + 1)
            entries[key] = YEntry(key, key_node.start_mark.line + 1, value)
        for source_node in merges:  # explicit keys win; an earlier merge source wins
            merged = self.convert(source_node, path, depth + 1)
            assert isinstance(merged, YMap)
            for key, entry in merged.entries.items():
                entries.setdefault(key, entry)
        return YMap(MappingProxyType(entries), node.start_mark.line + 1, self._source)

    def _merge_sources(self, node: Node, path: str) -> list[Node]:
        if isinstance(node, MappingNode):
            return [node]
        if isinstance(node, SequenceNode) and all(isinstance(n, MappingNode) for n in node.value):
            return list(node.value)
        raise self._error("a merge key (<<) takes a mapping or a list of mappings", node, path)

    def _key(self, node: Node, path: str) -> str:
        if not isinstance(node, ScalarNode):
            raise self._error("mapping keys must be plain scalars", node, path)
        if node.tag == _TAG + "null" or not node.value:
            raise self._error("empty mapping key", node, path)
        if node.tag not in _CONSTRUCTED and node.tag not in (_STR, _TIMESTAMP):
            raise self._error(f"unsupported YAML tag {node.tag}", node, path)
        key: str = node.value  # kept as written: `on:` is the key "on", not True
        return key
