"""lockgate: one interface to every major LLM provider.

``import lockgate`` only imports: it opens no connection, resolves no name, starts no thread
and reads no file.
"""

from typing import TYPE_CHECKING, Any

from lockgate._version import __version__
from lockgate.client import Client, ClientSettings, CompletionStream, RetryPolicy
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
from lockgate.pricing import ModelInfo, estimate_tokens
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

if TYPE_CHECKING:
    from lockgate.router import Router


def __getattr__(name: str) -> Any:
    # The router (and the config loader it uses) load on first use, keeping import fast.
    if name == "Router":
        from lockgate.router import Router

        return Router
    raise AttributeError(f"module 'lockgate' has no attribute {name!r}")


# LiteLLM names for the same types, so migrated code keeps working.
ModelResponse = ChatCompletion
ModelResponseStream = ChatCompletionChunk
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
