"""PEP 508 environment markers (``sys_platform != 'win32'``), evaluated without ``eval``.

The verifier runs in an isolated interpreter that imports only the standard library, so it
cannot use ``packaging``; this is the small subset a universal lock needs: ``and``/``or``,
parentheses, the comparison operators, ``in``/``not in``, and version comparison of release
numbers with an optional pre-release.
"""

from __future__ import annotations

import os
import platform
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["MarkerError", "evaluate_marker", "marker_environment"]


class MarkerError(ValueError):
    """A marker this evaluator cannot read."""


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<lparen>\()|(?P<rparen>\))
    | (?P<op>===|==|!=|<=|>=|~=|<|>|not\s+in\b|in\b)
    | (?P<bool>and\b|or\b)
    | (?P<string>'[^']*'|"[^"]*")
    | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
    )""",
    re.VERBOSE,
)
_VERSION = re.compile(r"^v?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d*))?")
_PRE_RANK = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "c": 2, "rc": 2, "pre": 2, "preview": 2}
_VARIABLES = frozenset(
    {
        "implementation_name",
        "implementation_version",
        "os_name",
        "platform_machine",
        "platform_release",
        "platform_system",
        "platform_version",
        "python_full_version",
        "platform_python_implementation",
        "python_version",
        "sys_platform",
        "extra",
    }
)


def marker_environment() -> dict[str, str]:
    """The running interpreter's marker values (as ``packaging.markers.default_environment``)."""
    info = sys.implementation.version
    implementation_version = f"{info.major}.{info.minor}.{info.micro}"
    if info.releaselevel != "final":
        implementation_version += info.releaselevel[0] + str(info.serial)
    return {
        "implementation_name": sys.implementation.name,
        "implementation_version": implementation_version,
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
        "extra": "",
    }


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str


def _tokenize(marker: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    text = marker.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise MarkerError(f"cannot read marker {marker!r} at {text[position:]!r}")
        kind = match.lastgroup
        assert kind is not None
        tokens.append(_Token(kind, " ".join(match.group(kind).split())))
        position = match.end()
        while position < len(text) and text[position].isspace():
            position += 1
    return tokens


_Version = tuple[tuple[int, ...], tuple[int, int]]


def _version_key(text: str) -> _Version | None:
    match = _VERSION.match(text.strip())
    if match is None or match.end() != len(text.strip()):
        return None
    release = tuple(int(part) for part in match.group(1).split("."))
    pre = match.group(2)
    # A final release sorts after all of its pre-releases.
    rank = (_PRE_RANK[pre.lower()], int(match.group(3) or 0)) if pre else (9, 0)
    return release, rank


def _padded(a: _Version, b: _Version) -> tuple[_Version, _Version]:
    """Equal-length releases, so 3.11 == 3.11.0 (trailing zeros do not count)."""
    width = max(len(a[0]), len(b[0]))
    return (
        (a[0] + (0,) * (width - len(a[0])), a[1]),
        (b[0] + (0,) * (width - len(b[0])), b[1]),
    )


def _compare_versions(left: str, op: str, right: str) -> bool | None:
    if op == "==" and right.endswith(".*"):
        prefix = _version_key(right[:-2])
        value = _version_key(left)
        if prefix is None or value is None:
            return None
        width = len(prefix[0])
        return (value[0] + (0,) * width)[:width] == prefix[0]
    parsed_left, parsed_right = _version_key(left), _version_key(right)
    if parsed_left is None or parsed_right is None:
        return None
    a, b = _padded(parsed_left, parsed_right)
    if op == "~=":
        stem = parsed_right[0][:-1]
        return a >= b and a[0][: len(stem)] == stem
    if op == "<" and b[1] == (9, 0) and a[0] == b[0]:
        return False  # PEP 440: "<3.13" excludes the pre-releases of 3.13 too
    outcomes = {"<": a < b, "<=": a <= b, "==": a == b, "!=": a != b, ">": a > b, ">=": a >= b}
    return outcomes.get(op)


def _compare(left: str, op: str, right: str) -> bool:
    if op == "in":
        return left in right
    if op == "not in":
        return left not in right
    if op == "===":
        return left == right
    version_outcome = _compare_versions(left, op, right)
    if version_outcome is not None:
        return version_outcome
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    raise MarkerError(f"cannot compare {left!r} {op} {right!r}")


class _Parser:
    def __init__(self, tokens: list[_Token], environment: Mapping[str, str]) -> None:
        self._tokens = tokens
        self._index = 0
        self._env = environment

    def _peek(self) -> _Token | None:
        return self._tokens[self._index] if self._index < len(self._tokens) else None

    def _take(self, kind: str) -> _Token:
        token = self._peek()
        if token is None or token.kind != kind:
            raise MarkerError(f"expected {kind}, found {token.text if token else 'the end'}")
        self._index += 1
        return token

    def parse(self) -> bool:
        value = self._or()
        if self._peek() is not None:
            raise MarkerError(f"unexpected {self._peek()}")
        return value

    def _or(self) -> bool:
        value = self._and()
        while (token := self._peek()) is not None and token.text == "or":
            self._index += 1
            right = self._and()
            value = value or right
        return value

    def _and(self) -> bool:
        value = self._atom()
        while (token := self._peek()) is not None and token.text == "and":
            self._index += 1
            right = self._atom()
            value = value and right
        return value

    def _atom(self) -> bool:
        token = self._peek()
        if token is not None and token.kind == "lparen":
            self._index += 1
            value = self._or()
            self._take("rparen")
            return value
        left = self._value()
        op = self._take("op").text
        right = self._value()
        return _compare(left, op, right)

    def _value(self) -> str:
        token = self._peek()
        if token is None:
            raise MarkerError("marker ends too early")
        self._index += 1
        if token.kind == "string":
            return token.text[1:-1]
        if token.kind == "name":
            name = token.text.replace(".", "_")  # the legacy spellings (os.name, ...)
            if name not in _VARIABLES:
                raise MarkerError(f"unknown marker variable {token.text!r}")
            return self._env.get(name, "")
        raise MarkerError(f"unexpected {token.text!r}")


def evaluate_marker(marker: str, environment: Mapping[str, str] | None = None) -> bool:
    """Whether ``marker`` holds in ``environment`` (default: the running interpreter)."""
    env = marker_environment() if environment is None else environment
    return _Parser(_tokenize(marker), env).parse()
