"""Shared pieces of error mapping: retry hints from headers and the exception for a status."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping

from lockgate.errors import (
    ContentPolicyViolationError,
    ContextWindowExceededError,
    LockgateError,
    error_for_status,
)

__all__ = ["CONTRACT_STATUSES", "build_error", "retry_after_seconds", "should_retry_header"]

# Statuses the gateway answers with; anything else is reported as its class's default.
CONTRACT_STATUSES = frozenset({400, 401, 403, 404, 408, 413, 422, 429, 500, 502, 503, 504})

_CONTEXT_MARKERS = (
    "context_length_exceeded",
    "maximum context length",
    "context window",
    "prompt is too long",
    "input is too long",
    "too many tokens",
    "exceeds the maximum number of tokens",
    "input token count",
)
_POLICY_MARKERS = ("content_filter", "content_policy", "content management policy", "safety")


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait, from ``retry-after-ms`` (first) or ``retry-after`` (seconds or date)."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000.0)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def should_retry_header(headers: Mapping[str, str]) -> bool | None:
    """OpenAI's ``x-should-retry`` override, when present."""
    value = headers.get("x-should-retry")
    if value == "true":
        return True
    if value == "false":
        return False
    return None


def build_error(
    status: int,
    message: str,
    headers: Mapping[str, str],
    *,
    code: str | None = None,
    error_type: str | None = None,
    param: str | None = None,
) -> LockgateError:
    """The exception for an upstream error, refined by its code and message."""
    haystack = f"{code or ''} {error_type or ''} {message}".lower()
    cls: type[LockgateError] = error_for_status(status)
    if status in (400, 413, 422) and any(m in haystack for m in _CONTEXT_MARKERS):
        cls = ContextWindowExceededError
    elif status in (400, 403) and any(m in haystack for m in _POLICY_MARKERS):
        cls = ContentPolicyViolationError
    retryable = should_retry_header(headers)
    return cls(
        message,
        status_code=status if status in CONTRACT_STATUSES else cls.default_status,
        retry_after=retry_after_seconds(headers),
        retryable=retryable,
        code=code,
        param=param,
    )
