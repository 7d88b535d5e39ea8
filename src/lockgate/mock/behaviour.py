"""What one request should experience: latency, pacing, an error, a broken stream, a reply."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ERROR_KINDS", "NO_BEHAVIOUR", "Behaviour", "BehaviourError"]

# Provider-neutral error names; each provider renders its own real body for them.
ERROR_KINDS: frozenset[str] = frozenset(
    {
        "invalid_request",
        "context_length",
        "auth",
        "permission",
        "not_found",
        "rate_limit",
        "quota",
        "server",
        "unavailable",
        "overloaded",
        "timeout",
    }
)


class BehaviourError(ValueError):
    """A script, header or model-name directive that cannot be understood."""


@dataclass(frozen=True, slots=True)
class Behaviour:
    """Every field is optional; `None` means "not scripted here, use the next source"."""

    status: int | None = None
    error: str | None = None
    retry_after_s: float | None = None
    latency_ms: float | None = None
    tokens_per_second: float | None = None
    break_after: int | None = None
    stream_error_after: int | None = None
    content: str | None = None
    reply_tokens: int | None = None
    usage: tuple[int, int] | None = None

    def over(self, base: Behaviour) -> Behaviour:
        """This behaviour's set fields on top of `base`."""
        if base is NO_BEHAVIOUR:
            return self
        changes = {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if getattr(self, f.name) is not None
        }
        return dataclasses.replace(base, **changes) if changes else base

    @property
    def fails(self) -> bool:
        return self.status is not None or self.error is not None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Behaviour:
        """Build from a JSON object of `POST /__mock/script` (keys are the field names)."""
        unknown = set(data) - _FIELD_NAMES - {"model", "times"}
        if unknown:
            raise BehaviourError(f"unknown behaviour keys: {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {}
        for name, kind in _FIELD_KINDS.items():
            raw = data.get(name)
            if raw is not None:
                values[name] = _coerce(name, kind, raw)
        return cls(**values).checked()

    def checked(self) -> Behaviour:
        """Reject values no provider could produce, so a typo fails loudly."""
        if self.status is not None and not 400 <= self.status <= 599:
            raise BehaviourError(f"status must be an HTTP error status (400-599): {self.status}")
        if self.error is not None and self.error not in ERROR_KINDS:
            kinds = ", ".join(sorted(ERROR_KINDS))
            raise BehaviourError(f"unknown error kind {self.error!r}; one of: {kinds}")
        for name in ("retry_after_s", "latency_ms", "tokens_per_second"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise BehaviourError(f"{name} must be >= 0")
        for name in ("break_after", "stream_error_after", "reply_tokens"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise BehaviourError(f"{name} must be >= 0")
        if self.usage is not None and min(self.usage) < 0:
            raise BehaviourError("usage counts must be >= 0")
        return self


NO_BEHAVIOUR = Behaviour()

_FIELD_KINDS: dict[str, type] = {
    "status": int,
    "error": str,
    "retry_after_s": float,
    "latency_ms": float,
    "tokens_per_second": float,
    "break_after": int,
    "stream_error_after": int,
    "content": str,
    "reply_tokens": int,
    "usage": tuple,
}
_FIELD_NAMES = frozenset(_FIELD_KINDS)


def _coerce(name: str, kind: type, raw: Any) -> Any:
    if kind is tuple:
        if (
            isinstance(raw, list | tuple)
            and len(raw) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in raw)
        ):
            return (raw[0], raw[1])
        raise BehaviourError(f"{name} must be [prompt_tokens, completion_tokens]")
    if kind is str:
        if isinstance(raw, str):
            return raw
        raise BehaviourError(f"{name} must be a string")
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise BehaviourError(f"{name} must be a number")
    if kind is int:
        if isinstance(raw, float) and not raw.is_integer():
            raise BehaviourError(f"{name} must be an integer")
        return int(raw)
    return float(raw)
