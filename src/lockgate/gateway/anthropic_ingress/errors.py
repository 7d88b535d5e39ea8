"""Lockgate errors in Anthropic's error shape, as a response body and as a stream event.

===============================================  ======  ==========================
lockgate error (by status)                       HTTP    Anthropic ``error.type``
===============================================  ======  ==========================
400 BadRequest (context window, content policy,  400     ``invalid_request_error``
unsupported params)
401 Authentication                               401     ``authentication_error``
402                                              402     ``billing_error``
403 PermissionDenied (egress denied)             403     ``permission_error``
404 NotFound                                     404     ``not_found_error``
408 APITimeout                                   408     ``timeout_error``
413 (body too large)                             413     ``request_too_large``
422 UnprocessableEntity, other 4xx               same    ``invalid_request_error``
429 RateLimit, BudgetExceeded                    429     ``rate_limit_error``
500 InternalServer, 502 BadGateway/Connection,   same    ``api_error``
other 5xx
503 ServiceUnavailable, 529                      529     ``overloaded_error``
504 APITimeout                                   504     ``timeout_error``
===============================================  ======  ==========================

503 is answered as 529 because that is how Anthropic says "overloaded, retry later", and
Anthropic clients (Claude Code) treat 529 as exactly that.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lockgate.errors import LockgateError
from lockgate.gateway.anthropic_ingress.sse import sse_event

__all__ = ["anthropic_error_body", "anthropic_error_type", "error_event"]

_BY_STATUS: Mapping[int, tuple[int, str]] = {
    400: (400, "invalid_request_error"),
    401: (401, "authentication_error"),
    402: (402, "billing_error"),
    403: (403, "permission_error"),
    404: (404, "not_found_error"),
    408: (408, "timeout_error"),
    413: (413, "request_too_large"),
    429: (429, "rate_limit_error"),
    500: (500, "api_error"),
    503: (529, "overloaded_error"),
    504: (504, "timeout_error"),
    529: (529, "overloaded_error"),
}


def anthropic_error_type(error: LockgateError) -> tuple[int, str]:
    """(HTTP status, Anthropic ``error.type``) for an error."""
    status = error.status_code
    mapped = _BY_STATUS.get(status)
    if mapped is not None:
        return mapped
    if 400 <= status < 500:
        return status, "invalid_request_error"
    return (status if 500 <= status < 600 else 500), "api_error"


def _error_object(error: LockgateError) -> dict[str, Any]:
    _, error_type = anthropic_error_type(error)
    return {"type": "error", "error": {"type": error_type, "message": error.message}}


def anthropic_error_body(
    error: LockgateError, *, request_id: str | None = None
) -> tuple[int, dict[str, Any]]:
    """(status, body) for a non-stream error response; ``request_id`` is added as Anthropic
    does when given."""
    status, _ = anthropic_error_type(error)
    body = _error_object(error)
    if request_id is not None:
        body["request_id"] = request_id
    return status, body


def error_event(error: LockgateError) -> bytes:
    """``event: error`` for a failure after the stream's 200 was sent; the stream ends here."""
    return sse_event(_error_object(error))
