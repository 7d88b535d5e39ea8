"""Google API errors (``google.rpc.Status``: ``{"error": {code, message, status, details}}``).

Used for Gemini (AI Studio) and Vertex AI. The HTTP status picks the class as for every
provider; then:

* ``RESOURCE_EXHAUSTED`` (429) takes its wait from ``details[RetryInfo].retryDelay``
  (``"20s"``, ``"0.500s"``), since Google sends no ``Retry-After`` header;
* a 400 whose ``ErrorInfo.reason`` is ``API_KEY_INVALID`` is an AuthenticationError (401):
  the key is wrong, the request is not;
* "input token count exceeds ..." is a ContextWindowExceededError (shared wording rules).

A stream without ``alt=sse`` wraps the error in a JSON array; both forms are read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lockgate.errors import AuthenticationError, LockgateError
from lockgate.providers.error_mapping import build_error
from lockgate.providers.response_json import loads_or_none
from lockgate.transport.messages import UpstreamResponse

__all__ = ["google_error", "google_error_fields", "map_google_error", "retry_delay_seconds"]

_MAX_MESSAGE = 2000
_RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"
_ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"


def retry_delay_seconds(value: Any) -> float | None:
    """protobuf Duration JSON (``"20s"``, ``"0.500s"``) → seconds."""
    if not isinstance(value, str) or not value.endswith("s"):
        return None
    try:
        return max(0.0, float(value[:-1]))
    except ValueError:
        return None


def google_error_fields(body: Any) -> Mapping[str, Any] | None:
    if isinstance(body, list) and body:
        body = body[0]
    if not isinstance(body, Mapping):
        return None
    error = body.get("error")
    return error if isinstance(error, Mapping) else None


def _details(error: Mapping[str, Any], kind: str) -> list[Mapping[str, Any]]:
    details = error.get("details")
    if not isinstance(details, list):
        return []
    return [d for d in details if isinstance(d, Mapping) and d.get("@type") == kind]


def google_error(
    status: int, error: Mapping[str, Any], headers: Mapping[str, str]
) -> LockgateError:
    message = error.get("message") if isinstance(error.get("message"), str) else ""
    canonical = error.get("status") if isinstance(error.get("status"), str) else None
    text = str(message or f"upstream returned HTTP {status}")[:_MAX_MESSAGE]
    reasons = {d.get("reason") for d in _details(error, _ERROR_INFO)}
    if status == 400 and "API_KEY_INVALID" in reasons:
        return AuthenticationError(text, code="API_KEY_INVALID", retryable=False)
    result = build_error(status, text, headers, code=canonical, error_type=canonical)
    for info in _details(error, _RETRY_INFO):
        delay = retry_delay_seconds(info.get("retryDelay"))
        if delay is not None:
            result.retry_after = delay
    return result


def map_google_error(response: UpstreamResponse) -> LockgateError:
    error = google_error_fields(loads_or_none(response.body))
    if error is None:
        snippet = response.body[:200].decode("utf-8", "replace").strip()
        message = f"upstream returned HTTP {response.status}" + (f": {snippet}" if snippet else "")
        return build_error(response.status, message, response.headers)
    return google_error(response.status, error, response.headers)
