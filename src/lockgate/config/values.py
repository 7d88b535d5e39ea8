"""Typed reads of located YAML nodes, with ``os.environ/NAME`` resolution.

Every function takes the node, its key path and the parse :class:`Context`, and returns a
plain typed value or raises a located :class:`ConfigError`. Numbers and booleans may be
written as strings (quoted, or from an environment variable): ``rpm: "100"`` is 100, as in
LiteLLM. Values are echoed in messages only when short and not from a secret field.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, TypeAlias

from lockgate.config.env_refs import MissingEnvVar, env_ref_name, resolve_env_ref
from lockgate.config.errors import ConfigError, locate
from lockgate.config.secret_keys import is_secret_key
from lockgate.config.yaml_nodes import (
    Scalar,
    YMap,
    YNode,
    YScalar,
    YSeq,
    child_path,
    describe,
    index_path,
)
from lockgate.security import Secret

__all__ = [
    "Context",
    "FrozenValue",
    "as_bool",
    "as_float",
    "as_int",
    "as_map",
    "as_plain",
    "as_plain_map",
    "as_secret",
    "as_seq",
    "as_str",
    "as_str_tuple",
    "error_at",
    "is_empty",
]

FrozenValue: TypeAlias = (
    Scalar | Secret | tuple["FrozenValue", ...] | MappingProxyType[str, "FrozenValue"]
)
_INT: Final = re.compile(r"[+-]?[0-9]+")
_TRUE: Final = frozenset({"true", "yes", "on", "1"})
_FALSE: Final = frozenset({"false", "no", "off", "0"})
_ECHO_MAX: Final = 40


@dataclass(slots=True)
class Context:
    """What one parse needs besides the nodes: the environment, and its warnings so far."""

    env: Mapping[str, str]
    warnings: list[str] = field(default_factory=list)

    def warn(self, node_source: str, line: int, path: str, message: str) -> None:
        self.warnings.append(f"{locate(node_source, line, path)}: {message}")


def error_at(node: YNode, path: str, problem: str) -> ConfigError:
    return ConfigError(problem, source=node.source, line=node.line, path=path)


def is_empty(node: YNode) -> bool:
    """null, false, an empty string, list or mapping: a setting that asks for nothing."""
    if isinstance(node, YScalar):
        return node.value is None or node.value is False or node.value == ""
    if isinstance(node, YSeq):
        return not node.items
    return not node.entries


def _resolved(node: YNode, path: str, ctx: Context) -> tuple[Scalar, str | None]:
    """The scalar value after ``os.environ/`` resolution, and the variable it came from."""
    if not isinstance(node, YScalar):
        raise error_at(node, path, f"expected a single value, got {describe(node)}")
    value = node.value
    if isinstance(value, str):
        name = env_ref_name(value)
        if name is not None:
            try:
                return resolve_env_ref(name, ctx.env), name
            except MissingEnvVar as exc:
                raise error_at(node, path, exc.reason) from None
    return value, None


def _bad(node: YNode, path: str, expected: str, value: Scalar, var: str | None) -> ConfigError:
    got = describe(YScalar(value, node.line, node.source))
    if isinstance(value, str) and len(value) <= _ECHO_MAX:
        got = f"{value!r}"
    origin = f" (from environment variable {var})" if var else ""
    return error_at(node, path, f"expected {expected}, got {got}{origin}")


def as_str(node: YNode, path: str, ctx: Context, *, allow_empty: bool = False) -> str:
    value, var = _resolved(node, path, ctx)
    if not isinstance(value, str):
        hint = " (quote it to make it a string)" if value is not None else ""
        raise error_at(node, path, f"expected a string, got {describe(node)}{hint}")
    if not value.strip() and not allow_empty:
        origin = f" (environment variable {var} is empty)" if var else ""
        raise error_at(node, path, f"must not be empty{origin}")
    return value


def as_secret(node: YNode, path: str, ctx: Context) -> Secret:
    """A credential. Plain integers are accepted (``redis_password: 123456``); never echoed."""
    value, var = _resolved(node, path, ctx)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise error_at(node, path, f"expected a string, got {describe(node)}")
    if not value:
        origin = f" (environment variable {var} is empty)" if var else ""
        raise error_at(node, path, f"must not be empty{origin}")
    return Secret(value)


def as_int(
    node: YNode, path: str, ctx: Context, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    value, var = _resolved(node, path, ctx)
    result: int | None = None
    if isinstance(value, bool):
        result = None
    elif isinstance(value, int):
        result = value
    elif isinstance(value, float) and value.is_integer():
        result = int(value)
    elif isinstance(value, str) and _INT.fullmatch(value.strip()):
        result = int(value.strip())
    if result is None:
        raise _bad(node, path, "an integer", value, var)
    _check_range(node, path, result, minimum, maximum)
    return result


def as_float(
    node: YNode,
    path: str,
    ctx: Context,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
) -> float:
    value, var = _resolved(node, path, ctx)
    result: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        result = float(value)
    elif isinstance(value, str):
        try:
            result = float(value.strip())
        except ValueError:
            result = None
    if result is None or not math.isfinite(result):
        raise _bad(node, path, "a number", value, var)
    _check_range(node, path, result, minimum, maximum)
    return result


def _check_range(
    node: YNode, path: str, value: float, minimum: float | None, maximum: float | None
) -> None:
    if minimum is not None and value < minimum:
        raise error_at(node, path, f"must be at least {minimum:g}, got {value:g}")
    if maximum is not None and value > maximum:
        raise error_at(node, path, f"must be at most {maximum:g}, got {value:g}")


def as_bool(node: YNode, path: str, ctx: Context) -> bool:
    value, var = _resolved(node, path, ctx)
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise _bad(node, path, "true or false", value, var)


def as_map(node: YNode, path: str) -> YMap:
    if not isinstance(node, YMap):
        raise error_at(node, path, f"expected a mapping, got {describe(node)}")
    return node


def as_seq(node: YNode, path: str) -> YSeq:
    if not isinstance(node, YSeq):
        raise error_at(node, path, f"expected a list, got {describe(node)}")
    return node


def as_str_tuple(node: YNode, path: str, ctx: Context) -> tuple[str, ...]:
    """A list of strings; a single string is a list of one."""
    if isinstance(node, YScalar) and isinstance(node.value, str):
        return (as_str(node, path, ctx),)
    seq = as_seq(node, path)
    return tuple(as_str(item, index_path(path, i), ctx) for i, item in enumerate(seq.items))


def as_plain(node: YNode, path: str, ctx: Context, *, secret: bool = False) -> FrozenValue:
    """Any value, frozen (mappings read-only, lists as tuples), env refs resolved.

    Values under credential-looking keys (see :mod:`secret_keys`) become Secrets.
    """
    if isinstance(node, YMap):
        return as_plain_map(node, path, ctx)
    if isinstance(node, YSeq):
        return tuple(
            as_plain(item, index_path(path, i), ctx, secret=secret)
            for i, item in enumerate(node.items)
        )
    if secret and node.value is not None:
        return as_secret(node, path, ctx)
    value, _ = _resolved(node, path, ctx)
    return value


def as_plain_map(
    node: YNode,
    path: str,
    ctx: Context,
    *,
    is_secret: Callable[[str], bool] = is_secret_key,
) -> MappingProxyType[str, FrozenValue]:
    mapping = as_map(node, path)
    return MappingProxyType(
        {
            key: as_plain(entry.value, child_path(path, key), ctx, secret=is_secret(key))
            for key, entry in mapping.entries.items()
        }
    )
