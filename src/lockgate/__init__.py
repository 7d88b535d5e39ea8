"""lockgate: one interface to every major LLM provider.

``import lockgate`` only imports: it opens no connection, resolves no name, starts no thread
and reads no file. The SDK's functions and types load on first use (PEP 562), so importing
a submodule (``lockgate.cli``, ``lockgate.errors``) does not load the client, the providers
and the price table: `lockgate serve` re-executes itself before it loads anything else.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from lockgate._version import __version__
from lockgate.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadGatewayError,
    BadRequestError,
    BudgetExceededError,
    ContentPolicyViolationError,
    ContextWindowExceededError,
    EgressDeniedError,
    InternalServerError,
    LockgateError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServiceUnavailableError,
    UnprocessableEntityError,
    UnsupportedParamsError,
)

if TYPE_CHECKING:
    from lockgate.client import Client, ClientSettings, CompletionStream, RetryPolicy
    from lockgate.pricing import ModelInfo, estimate_tokens
    from lockgate.router import Router
    from lockgate.sdk import (
        aclose,
        acompletion,
        aembedding,
        arerank,
        atext_completion,
        completion,
        completion_cost,
        embedding,
        get_model_info,
        rerank,
        text_completion,
    )
    from lockgate.types import (
        ChatCompletion,
        ChatCompletionChunk,
        EmbeddingResponse,
        TextCompletion,
        Usage,
    )

    # LiteLLM names for the same types, so migrated code keeps working.
    ModelResponse = ChatCompletion
    ModelResponseStream = ChatCompletionChunk

# name -> (module, attribute in it), loaded on first access.
_LAZY: dict[str, tuple[str, str]] = {
    **{
        name: ("lockgate.client", name)
        for name in ("Client", "ClientSettings", "CompletionStream", "RetryPolicy")
    },
    **{name: ("lockgate.pricing", name) for name in ("ModelInfo", "estimate_tokens")},
    "Router": ("lockgate.router", "Router"),
    **{
        name: ("lockgate.sdk", name)
        for name in (
            "aclose",
            "acompletion",
            "aembedding",
            "arerank",
            "atext_completion",
            "completion",
            "completion_cost",
            "embedding",
            "get_model_info",
            "rerank",
            "text_completion",
        )
    },
    **{
        name: ("lockgate.types", name)
        for name in (
            "ChatCompletion",
            "ChatCompletionChunk",
            "EmbeddingResponse",
            "TextCompletion",
            "Usage",
        )
    },
    "ModelResponse": ("lockgate.types", "ChatCompletion"),
    "ModelResponseStream": ("lockgate.types", "ChatCompletionChunk"),
}


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'lockgate' has no attribute {name!r}")
    module, attribute = target
    value = getattr(import_module(module), attribute)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


Timeout = APITimeoutError

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BadGatewayError",
    "BadRequestError",
    "BudgetExceededError",
    "ChatCompletion",
    "ChatCompletionChunk",
    "Client",
    "ClientSettings",
    "CompletionStream",
    "ContentPolicyViolationError",
    "ContextWindowExceededError",
    "EgressDeniedError",
    "EmbeddingResponse",
    "InternalServerError",
    "LockgateError",
    "ModelInfo",
    "ModelResponse",
    "ModelResponseStream",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RetryPolicy",
    "Router",
    "ServiceUnavailableError",
    "TextCompletion",
    "Timeout",
    "UnprocessableEntityError",
    "UnsupportedParamsError",
    "Usage",
    "__version__",
    "aclose",
    "acompletion",
    "aembedding",
    "arerank",
    "atext_completion",
    "completion",
    "completion_cost",
    "embedding",
    "estimate_tokens",
    "get_model_info",
    "rerank",
    "text_completion",
]
