"""What a provider declares to the conformance suite: how to reach it, what it can do.

Adding a provider to the suite is adding a ``cases_<name>.py`` module with its
:class:`ProviderCase` values and one line in ``cases.py``; the tests are shared.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from lockgate.errors import (
    APITimeoutError,
    AuthenticationError,
    ContextWindowExceededError,
    InternalServerError,
    LockgateError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServiceUnavailableError,
)
from lockgate.mock import MockServer

__all__ = [
    "BROKEN_STREAM",
    "CHAT",
    "DEFAULT_ERRORS",
    "DROP_PARAMS",
    "EMBEDDINGS",
    "ERRORS",
    "JSON_MODE",
    "MULTI_TURN",
    "PARALLEL_TOOLS",
    "REASONING",
    "STREAM",
    "STREAMED_TOOL_ARGS",
    "SYSTEM",
    "TOOLS",
    "USAGE_COST",
    "VISION",
    "ProviderCase",
]

# Capabilities a case may declare; each test runs for the cases that declare its capability.
CHAT = "chat"
SYSTEM = "system"
MULTI_TURN = "multi_turn"
STREAM = "stream"
TOOLS = "tools"
PARALLEL_TOOLS = "parallel_tools"  # parallel tool results sent back in one turn
STREAMED_TOOL_ARGS = "streamed_tool_args"  # arguments arrive in several fragments
VISION = "vision"
JSON_MODE = "json_mode"
REASONING = "reasoning"  # reasoning_effort gives reasoning_content back
USAGE_COST = "usage_cost"
ERRORS = "errors"
BROKEN_STREAM = "broken_stream"
DROP_PARAMS = "drop_params"
EMBEDDINGS = "embeddings"

# Mock error kind (x-mock-error) -> the exception every provider must raise for it.
DEFAULT_ERRORS: Mapping[str, type[LockgateError]] = MappingProxyType(
    {
        "auth": AuthenticationError,
        "permission": PermissionDeniedError,
        "not_found": NotFoundError,
        "context_length": ContextWindowExceededError,
        "rate_limit": RateLimitError,
        "server": InternalServerError,
        "overloaded": ServiceUnavailableError,
        "timeout": APITimeoutError,
    }
)


@dataclass(frozen=True)
class ProviderCase:
    name: str
    model: str  # the model string users write: "anthropic/claude-sonnet-4-5"
    # Call options that point the client at the mock server (api_base, api_key, ...).
    connect: Callable[[MockServer], dict[str, Any]]
    capabilities: frozenset[str]
    errors: Mapping[str, type[LockgateError]] = field(default_factory=lambda: DEFAULT_ERRORS)
    # The exception an in-stream error event (x-mock-stream-error-after) raises.
    stream_error: type[LockgateError] = ServiceUnavailableError
    # An OpenAI parameter the provider refuses, with a value (for drop_params).
    unsupported_param: tuple[str, Any] | None = None
    embedding_model: str | None = None

    def has(self, capability: str) -> bool:
        return capability in self.capabilities
