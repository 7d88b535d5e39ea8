"""Decoding an upstream JSON body once, with the error a broken body deserves."""

from __future__ import annotations

from typing import Any

import orjson

from lockgate.errors import APIConnectionError

__all__ = ["json_object", "loads_or_none"]


def json_object(body: bytes, what: str = "response") -> dict[str, Any]:
    """The JSON object in ``body``; APIConnectionError (502) when it is not one."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise APIConnectionError(f"upstream sent a {what} that is not JSON") from exc
    if not isinstance(data, dict):
        raise APIConnectionError(f"upstream sent a {what} that is not a JSON object")
    return data


def loads_or_none(body: bytes) -> Any:
    """The decoded body, or None when it is empty or not JSON (error bodies)."""
    if not body:
        return None
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
