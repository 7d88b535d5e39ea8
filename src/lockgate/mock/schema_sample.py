"""A small value that satisfies a JSON Schema: tool-call arguments and structured output.

Covers what function schemas and Pydantic-generated schemas use (`$ref`/`$defs`, `anyOf`,
`enum`, nested objects and arrays, Gemini's upper-case `type`); anything else yields null.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["sample_from_schema"]

_MAX_DEPTH = 12
_STRING_FORMATS = {
    "date-time": "2025-01-01T00:00:00Z",
    "date": "2025-01-01",
    "time": "00:00:00",
    "email": "mock@example.com",
    "uri": "https://example.com/mock",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def sample_from_schema(schema: Any, text: str = "mock") -> Any:
    """A deterministic instance of `schema`; strings without a format get `text`."""
    root = schema if isinstance(schema, Mapping) else {}
    return _sample(schema, root, text, 0)


def _resolve(ref: str, root: Mapping[str, Any]) -> Any:
    if not ref.startswith("#/"):
        return {}
    node: Any = root
    for part in ref[2:].split("/"):
        if not isinstance(node, Mapping) or part not in node:
            return {}
        node = node[part]
    return node


def _sample(schema: Any, root: Mapping[str, Any], text: str, depth: int) -> Any:
    if not isinstance(schema, Mapping) or depth > _MAX_DEPTH:
        return None
    if "$ref" in schema:
        return _sample(_resolve(str(schema["$ref"]), root), root, text, depth + 1)
    if "const" in schema:
        return schema["const"]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    for combinator in ("anyOf", "oneOf", "allOf"):
        options = schema.get(combinator)
        if isinstance(options, list) and options:
            usable = [
                o for o in options if not (isinstance(o, Mapping) and o.get("type") == "null")
            ]
            return _sample((usable or options)[0], root, text, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    kind = str(kind).lower() if kind is not None else ("object" if "properties" in schema else "")
    if kind == "object":
        properties = schema.get("properties")
        if not isinstance(properties, Mapping):
            return {}
        return {str(k): _sample(v, root, text, depth + 1) for k, v in properties.items()}
    if kind == "array":
        count = max(1, int(schema.get("minItems", 1)))
        if schema.get("maxItems") == 0:
            return []
        return [_sample(schema.get("items", {}), root, text, depth + 1) for _ in range(count)]
    if kind == "string":
        return _STRING_FORMATS.get(str(schema.get("format", "")), text)
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return float(schema.get("minimum", 1.5))
    if kind == "boolean":
        return True
    return None
