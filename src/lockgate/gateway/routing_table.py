"""The route table: every route names its policy (there is no default) and error shape."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import Enum

from lockgate.gateway.auth import RoutePolicy
from lockgate.gateway.exchange import Exchange

__all__ = ["ErrorShape", "Handler", "Route", "RouteTable"]

Handler = Callable[[Exchange], Awaitable[None]]


class ErrorShape(Enum):
    OPENAI = "openai"
    ANTHROPIC = "anthropic"


@dataclass(frozen=True, slots=True)
class Route:
    name: str
    methods: frozenset[str]
    policy: RoutePolicy
    handler: Handler
    error_shape: ErrorShape = ErrorShape.OPENAI
    reads_body: bool = False


class RouteTable:
    """Exact paths, plus prefixes for routes with a trailing path parameter."""

    def __init__(self, exact: Mapping[str, Route], prefixes: Mapping[str, Route]) -> None:
        self._exact = dict(exact)
        self._prefixes = tuple(sorted(prefixes.items(), key=lambda kv: -len(kv[0])))

    def match(self, path: str) -> Route | None:
        route = self._exact.get(path)
        if route is not None:
            return route
        for prefix, candidate in self._prefixes:
            if path.startswith(prefix) and len(path) > len(prefix):
                return candidate
        return None

    def routes(self) -> list[tuple[str, Route]]:
        return [*self._exact.items(), *((p + "{id}", r) for p, r in self._prefixes)]
