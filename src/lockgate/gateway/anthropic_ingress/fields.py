"""Typed reads of an Anthropic request body that fail with a 400 naming the field.

Paths are written the way Anthropic's own errors name them (``messages.2.content.0.type``),
so a client sees the same kind of message whichever provider serves the request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

from lockgate.errors import BadRequestError

__all__ = [
    "fail",
    "join",
    "json_type",
    "opt_bool",
    "opt_int",
    "opt_list",
    "opt_number",
    "opt_object",
    "opt_str",
    "req_list",
    "req_object",
    "req_str",
]


def join(parent: str, key: str | int) -> str:
    return f"{parent}.{key}" if parent else str(key)


def fail(path: str, problem: str) -> NoReturn:
    raise BadRequestError(f"{path}: {problem}", param=path)


def json_type(value: Any) -> str:
    """The JSON name of a value's type, for messages such as 'expected a string, got array'."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def _wrong(path: str, expected: str, value: Any) -> NoReturn:
    fail(path, f"expected {expected}, got {json_type(value)}")


def _missing(path: str) -> NoReturn:
    fail(path, "field required")


def req_object(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        _wrong(path, "an object", value)
    return value


def req_str(data: Mapping[str, Any], key: str, parent: str) -> str:
    path = join(parent, key)
    if key not in data:
        _missing(path)
    value = data[key]
    if not isinstance(value, str):
        _wrong(path, "a string", value)
    return value


def req_list(data: Mapping[str, Any], key: str, parent: str) -> list[Any]:
    path = join(parent, key)
    if key not in data:
        _missing(path)
    value = data[key]
    if not isinstance(value, list):
        _wrong(path, "an array", value)
    return value


def opt_str(data: Mapping[str, Any], key: str, parent: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        _wrong(join(parent, key), "a string", value)
    return value


def opt_int(data: Mapping[str, Any], key: str, parent: str, *, minimum: int = 0) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    path = join(parent, key)
    # JSON true/false are Python ints; they are not integers here.
    if isinstance(value, bool) or not isinstance(value, int):
        _wrong(path, "an integer", value)
    if value < minimum:
        fail(path, f"must be at least {minimum}")
    return value


def opt_number(data: Mapping[str, Any], key: str, parent: str) -> float | int | None:
    value = data.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        _wrong(join(parent, key), "a number", value)
    return value


def opt_bool(data: Mapping[str, Any], key: str, parent: str) -> bool | None:
    value = data.get(key)
    if value is not None and not isinstance(value, bool):
        _wrong(join(parent, key), "a boolean", value)
    return value


def opt_list(data: Mapping[str, Any], key: str, parent: str) -> list[Any] | None:
    value = data.get(key)
    if value is not None and not isinstance(value, list):
        _wrong(join(parent, key), "an array", value)
    return value


def opt_object(data: Mapping[str, Any], key: str, parent: str) -> Mapping[str, Any] | None:
    value = data.get(key)
    if value is not None and not isinstance(value, Mapping):
        _wrong(join(parent, key), "an object", value)
    return value
