"""The exception tree of the contract.

Every error carries ``status_code``, ``provider``, ``model``, ``retryable`` and, where the
provider said so, ``retry_after`` (seconds). Messages never contain credentials: adapters
build them from the provider's error text, which is passed through :func:`redact` first.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BadGatewayError",
    "BadRequestError",
    "BudgetExceededError",
    "ContentPolicyViolationError",
    "ContextWindowExceededError",
    "EgressDeniedError",
    "InternalServerError",
    "LockgateError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServiceUnavailableError",
    "UnprocessableEntityError",
    "UnsupportedParamsError",
    "error_for_status",
]


class LockgateError(Exception):
    """Base of every error lockgate raises."""

    default_status: ClassVar[int] = 500
    default_type: ClassVar[str] = "api_error"
    default_retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        provider: str | None = None,
        model: str | None = None,
        retryable: bool | None = None,
        retry_after: float | None = None,
        param: str | None = None,
        code: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code if status_code is not None else self.default_status
        self.provider = provider
        self.model = model
        self.retryable = self.default_retryable if retryable is None else retryable
        self.retry_after = retry_after
        self.param = param
        self.code = code
        self.body = body

    @property
    def error_type(self) -> str:
        return self.default_type

    def to_openai_error(self) -> dict[str, Any]:
        """The OpenAI error body: ``{"error": {"message", "type", "param", "code"}}``."""
        return {
            "error": {
                "message": self.message,
                "type": self.error_type,
                "param": self.param,
                "code": self.code if self.code is not None else str(self.status_code),
            }
        }

    def __str__(self) -> str:
        where = "/".join(p for p in (self.provider, self.model) if p)
        prefix = f"[{where}] " if where else ""
        return f"{prefix}{self.message}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code}, provider={self.provider!r}, "
            f"model={self.model!r}, message={self.message!r})"
        )


APIError = LockgateError


class BadRequestError(LockgateError):
    default_status = 400
    default_type = "invalid_request_error"


class ContextWindowExceededError(BadRequestError):
    default_type = "invalid_request_error"


class ContentPolicyViolationError(BadRequestError):
    default_type = "invalid_request_error"


class UnsupportedParamsError(BadRequestError):
    default_type = "invalid_request_error"


class AuthenticationError(LockgateError):
    default_status = 401
    default_type = "authentication_error"


class PermissionDeniedError(LockgateError):
    default_status = 403
    default_type = "permission_error"


class EgressDeniedError(PermissionDeniedError):
    """The egress policy refused to open a connection to a host."""

    default_type = "egress_denied"


class NotFoundError(LockgateError):
    default_status = 404
    default_type = "not_found_error"


class APITimeoutError(LockgateError):
    default_status = 408
    default_type = "timeout_error"
    default_retryable = True


class UnprocessableEntityError(LockgateError):
    default_status = 422
    default_type = "invalid_request_error"


class RateLimitError(LockgateError):
    default_status = 429
    default_type = "rate_limit_error"
    default_retryable = True


class BudgetExceededError(RateLimitError):
    default_type = "budget_exceeded"
    default_retryable = False


class InternalServerError(LockgateError):
    default_status = 500
    default_type = "api_error"
    default_retryable = True


class BadGatewayError(LockgateError):
    default_status = 502
    default_type = "api_error"
    default_retryable = True


class ServiceUnavailableError(LockgateError):
    default_status = 503
    default_type = "service_unavailable"
    default_retryable = True


class APIConnectionError(LockgateError):
    """The upstream could not be reached or the connection broke."""

    default_status = 502
    default_type = "api_connection_error"
    default_retryable = True


_BY_STATUS: dict[int, type[LockgateError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    408: APITimeoutError,
    409: InternalServerError,
    413: BadRequestError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    500: InternalServerError,
    502: BadGatewayError,
    503: ServiceUnavailableError,
    504: APITimeoutError,
    529: ServiceUnavailableError,
}


def error_for_status(status: int) -> type[LockgateError]:
    """The exception class for an upstream HTTP status (unknown 4xx → BadRequest, 5xx → 500)."""
    cls = _BY_STATUS.get(status)
    if cls is not None:
        return cls
    if 400 <= status < 500:
        return BadRequestError
    return InternalServerError
