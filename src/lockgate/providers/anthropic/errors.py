"""Anthropic error bodies (``{"type": "error", "error": {"type", "message"}}``) to exceptions.

=========================  ======  ====================================================
``error.type``             HTTP    lockgate exception
=========================  ======  ====================================================
``invalid_request_error``  400     BadRequestError (context-window and policy wording
                                   refined to their subclasses)
``authentication_error``   401     AuthenticationError
``billing_error``          402     BadRequestError
``permission_error``       403     PermissionDeniedError
``not_found_error``        404     NotFoundError
``request_too_large``      413     BadRequestError (413)
``rate_limit_error``       429     RateLimitError (``retry-after`` header → retry_after)
``api_error``              500     InternalServerError
``timeout_error``          504     APITimeoutError
``overloaded_error``       529     ServiceUnavailableError (reported as 503)
=========================  ======  ====================================================

The HTTP status decides the class; the type is used for in-stream ``error`` events, which
arrive with status 200. ``x-should-retry`` overrides retryability. The ``request-id`` is kept
in ``error.body["request_id"]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lockgate.errors import ContextWindowExceededError, LockgateError
from lockgate.providers.error_mapping import build_error
from lockgate.providers.response_json import loads_or_none
from lockgate.transport.messages import UpstreamResponse

__all__ = ["STATUS_BY_TYPE", "anthropic_error", "anthropic_error_fields", "map_anthropic_error"]

STATUS_BY_TYPE: Mapping[str, int] = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}
_MAX_MESSAGE = 2000
_CONTEXT_WORDING = ("exceed context limit", "prompt is too long")


def anthropic_error_fields(body: Any) -> tuple[str, str, str | None] | None:
    """(message, type, request_id) of an Anthropic error body, None for another shape."""
    if not isinstance(body, Mapping):
        return None
    error = body.get("error")
    if not isinstance(error, Mapping) or not isinstance(error.get("type"), str):
        return None
    message = error.get("message")
    request_id = body.get("request_id")
    return (
        message if isinstance(message, str) else "",
        error["type"],
        request_id if isinstance(request_id, str) else None,
    )


def anthropic_error(
    status: int,
    message: str,
    error_type: str | None,
    headers: Mapping[str, str],
    request_id: str | None = None,
) -> LockgateError:
    error = build_error(
        status, message[:_MAX_MESSAGE], headers, code=error_type, error_type=error_type
    )
    context = status in (400, 413) and any(w in message.lower() for w in _CONTEXT_WORDING)
    if context and not isinstance(error, ContextWindowExceededError):
        error = ContextWindowExceededError(
            error.message, status_code=error.status_code, retryable=False, code=error.code
        )
    error.body = {"type": error_type, "request_id": request_id or headers.get("request-id")}
    return error


def map_anthropic_error(response: UpstreamResponse) -> LockgateError:
    fields = anthropic_error_fields(loads_or_none(response.body))
    if fields is None:
        snippet = response.body[:200].decode("utf-8", "replace").strip()
        message = f"upstream returned HTTP {response.status}" + (f": {snippet}" if snippet else "")
        return anthropic_error(response.status, message, None, response.headers)
    message, error_type, request_id = fields
    return anthropic_error(
        response.status,
        message or f"upstream returned HTTP {response.status}",
        error_type,
        response.headers,
        request_id,
    )
