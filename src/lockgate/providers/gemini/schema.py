"""JSON Schema (OpenAI tool parameters, ``response_format``) to Gemini's Schema object.

Gemini takes an OpenAPI 3.0 subset and rejects what it does not know with a 400
("Unknown name ..."), so the schema is rewritten rather than passed through:

* ``$ref`` to ``$defs`` / ``definitions`` is inlined (recursion is refused: Gemini has none);
* ``type: [X, "null"]`` → ``type: X, nullable: true``; ``anyOf`` with a ``null`` member
  likewise; ``oneOf`` → ``anyOf``; a one-element ``allOf`` is merged;
* ``const`` → a one-value ``enum`` (string values only, like Gemini's enum);
* type names are upper-case (``OBJECT``, ``STRING``), as Google's SDKs send them;
* keywords Gemini lacks (``additionalProperties``, ``$schema``, ``examples``, ...) are left
  out, and an empty ``properties`` is omitted (Gemini rejects it for ``OBJECT``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lockgate.errors import BadRequestError

__all__ = ["gemini_schema"]

_MAX_DEPTH = 32
_COPIED = frozenset(
    {
        "description",
        "format",
        "title",
        "minItems",
        "maxItems",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "minProperties",
        "maxProperties",
        "pattern",
        "example",
        "default",
        "propertyOrdering",
        "nullable",
    }
)


def gemini_schema(schema: Mapping[str, Any], param: str = "tools") -> dict[str, Any]:
    defs: dict[str, Any] = {}
    for key in ("$defs", "definitions"):
        found = schema.get(key)
        if isinstance(found, Mapping):
            defs.update(found)
    return _convert(schema, defs, (), param)


def _resolve(
    node: Mapping[str, Any], defs: Mapping[str, Any], seen: tuple[str, ...], param: str
) -> tuple[Mapping[str, Any], tuple[str, ...]]:
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return node, seen
    name = ref.rsplit("/", 1)[-1]
    if name in seen:
        raise BadRequestError(
            f"recursive schema ($ref {ref!r}) is not supported by Gemini", param=param
        )
    target = defs.get(name)
    if not isinstance(target, Mapping):
        raise BadRequestError(f"schema $ref {ref!r} does not resolve", param=param)
    return target, (*seen, name)


def _convert(
    raw: Mapping[str, Any], defs: Mapping[str, Any], seen: tuple[str, ...], param: str
) -> dict[str, Any]:
    if len(seen) > _MAX_DEPTH:
        raise BadRequestError("schema nests too deeply for Gemini", param=param)
    node, seen = _resolve(raw, defs, seen, param)
    out: dict[str, Any] = {}
    all_of = node.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1 and isinstance(all_of[0], Mapping):
        out.update(_convert(all_of[0], defs, seen, param))
    _type(node, out)
    for key in _COPIED:
        if key in node:
            out[key] = node[key]
    _enum(node, out)
    _any_of(node, defs, seen, param, out)
    properties = node.get("properties")
    if isinstance(properties, Mapping) and properties:
        out["properties"] = {
            name: _convert(sub, defs, (*seen, ""), param) if isinstance(sub, Mapping) else {}
            for name, sub in properties.items()
        }
        required = node.get("required")
        if isinstance(required, list):
            kept = [r for r in required if r in properties]
            if kept:
                out["required"] = kept
    items = node.get("items")
    if isinstance(items, list):
        items = items[0] if items else None
    if isinstance(items, Mapping):
        out["items"] = _convert(items, defs, (*seen, ""), param)
    return out


def _type(node: Mapping[str, Any], out: dict[str, Any]) -> None:
    kind = node.get("type")
    if isinstance(kind, list):
        named = [k for k in kind if isinstance(k, str) and k != "null"]
        if len(named) < len(kind):
            out["nullable"] = True
        kind = named[0] if len(named) == 1 else None
        if len(named) > 1:
            out["anyOf"] = [{"type": k.upper()} for k in named]
    if isinstance(kind, str) and kind != "null":
        out["type"] = kind.upper()
    elif kind == "null":
        out["nullable"] = True


def _enum(node: Mapping[str, Any], out: dict[str, Any]) -> None:
    values = node.get("enum")
    if "const" in node:
        values = [node["const"]]
    if isinstance(values, list) and values and all(isinstance(v, str) for v in values):
        out["enum"] = list(values)
        out.setdefault("type", "STRING")


def _any_of(
    node: Mapping[str, Any],
    defs: Mapping[str, Any],
    seen: tuple[str, ...],
    param: str,
    out: dict[str, Any],
) -> None:
    options = node.get("anyOf", node.get("oneOf"))
    if not isinstance(options, list):
        return
    converted = []
    for option in options:
        if not isinstance(option, Mapping):
            continue
        if option.get("type") == "null":
            out["nullable"] = True
            continue
        converted.append(_convert(option, defs, (*seen, ""), param))
    if len(converted) == 1:
        for key, value in converted[0].items():
            out.setdefault(key, value)
    elif converted:
        out["anyOf"] = converted
