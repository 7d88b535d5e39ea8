"""Server-wide defaults of the mock provider servers."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_MODELS", "MockSettings"]

# What `GET /v1/models` lists; any other model name is accepted too.
DEFAULT_MODELS: tuple[str, ...] = (
    "gpt-4o",
    "gpt-4o-mini",
    "gpt-4.1-mini",
    "gpt-3.5-turbo-instruct",
    "text-embedding-3-small",
    "text-embedding-3-large",
    "claude-sonnet-4-5-20250929",
    "claude-haiku-4-5-20251001",
    "gemini-2.5-flash",
    "gemini-2.5-pro",
)


@dataclass(frozen=True, slots=True)
class MockSettings:
    """Defaults applied to every request unless a script says otherwise.

    `latency_ms` delays the response headers; `tokens_per_second` paces streamed tokens
    (0 means as fast as the socket takes them). Recording keeps every request for
    `GET /__mock/requests`; turn it off for benchmarks.
    """

    latency_ms: float = 0.0
    tokens_per_second: float = 0.0
    record_requests: bool = True
    max_recorded_requests: int = 10_000
    require_auth: bool = True
    # Reject bodies the real provider would reject (missing model, Anthropic max_tokens, ...),
    # so that a gateway's translation bugs show up against the mock too.
    validate_requests: bool = True
    retry_after_s: float = 1.0
    max_body_bytes: int = 32 * 1024 * 1024
    models: tuple[str, ...] = DEFAULT_MODELS
    access_log: bool = False

    def __post_init__(self) -> None:
        if self.latency_ms < 0 or self.tokens_per_second < 0 or self.retry_after_s < 0:
            raise ValueError("latency_ms, tokens_per_second and retry_after_s must be >= 0")
        if self.max_recorded_requests < 0 or self.max_body_bytes <= 0:
            raise ValueError("max_recorded_requests must be >= 0 and max_body_bytes > 0")
