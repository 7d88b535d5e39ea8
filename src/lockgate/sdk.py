"""LiteLLM-style module functions: ``lockgate.completion(model=..., messages=...)``.

They share one default :class:`~lockgate.client.Client`, created on first use (never at
import). That client and its background loop for synchronous calls are the SDK's only
process-wide state; code that wants none constructs its own ``Client``.
"""

from __future__ import annotations

import atexit
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from lockgate.client import BackgroundLoop, Client, CompletionStream, SyncCompletionStream
from lockgate.client.rerank import arerank, rerank
from lockgate.errors import NotFoundError
from lockgate.pricing import ModelInfo, cost_for_usage
from lockgate.pricing import get_model_info as _lookup_model_info
from lockgate.types import ChatCompletion, EmbeddingResponse, TextCompletion

__all__ = [
    "aclose",
    "acompletion",
    "aembedding",
    "arerank",
    "atext_completion",
    "completion",
    "completion_cost",
    "default_client",
    "embedding",
    "get_model_info",
    "rerank",
    "text_completion",
]


@cache
def default_client() -> Client:
    return Client()


@cache
def _background_loop() -> BackgroundLoop:
    loop = BackgroundLoop()
    # Synchronous calls pool connections on this loop; close them when the process exits.
    atexit.register(loop.run, aclose)
    return loop


async def acompletion(
    model: str, messages: Sequence[Mapping[str, Any]], *, stream: bool = False, **kwargs: Any
) -> ChatCompletion | CompletionStream:
    return await default_client().acompletion(model, messages, stream=stream, **kwargs)


def completion(
    model: str, messages: Sequence[Mapping[str, Any]], *, stream: bool = False, **kwargs: Any
) -> ChatCompletion | SyncCompletionStream:
    loop = _background_loop()
    result = loop.run(lambda: acompletion(model, messages, stream=stream, **kwargs))
    if isinstance(result, CompletionStream):
        return SyncCompletionStream(result, loop)
    return result


async def aembedding(
    model: str, input: str | list[str] | list[list[int]], **kwargs: Any
) -> EmbeddingResponse:
    return await default_client().aembedding(model, input, **kwargs)


def embedding(
    model: str, input: str | list[str] | list[list[int]], **kwargs: Any
) -> EmbeddingResponse:
    return _background_loop().run(lambda: aembedding(model, input, **kwargs))


async def atext_completion(model: str, prompt: str | list[str], **kwargs: Any) -> TextCompletion:
    return await default_client().atext_completion(model, prompt, **kwargs)


def text_completion(model: str, prompt: str | list[str], **kwargs: Any) -> TextCompletion:
    return _background_loop().run(lambda: atext_completion(model, prompt, **kwargs))


async def aclose() -> None:
    """Close the default client's connections for the running event loop."""
    await default_client().aclose()


def completion_cost(
    completion_response: ChatCompletion | EmbeddingResponse | TextCompletion | None = None,
    *,
    model: str | None = None,
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
) -> float:
    """Cost in USD of a response (or of token counts for ``model``), from the packaged table.

    Raises NotFoundError when the model has no price.
    """
    from lockgate.types import Usage

    if completion_response is not None:
        hidden = completion_response._hidden_params.get("response_cost")
        if hidden is not None:
            return float(hidden)
        usage = completion_response.usage
        model = model or completion_response.model
    else:
        usage = Usage(
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            total_tokens=prompt_tokens + completion_tokens,
        )
    if usage is None or not model:
        raise NotFoundError("the response carries no usage to price", model=model)
    provider, _, bare = model.partition("/")
    cost = cost_for_usage(usage, bare if bare else model, provider if bare else None)
    if cost is None:
        raise NotFoundError(f"no price known for model {model!r}", model=model)
    return cost


def get_model_info(model: str, custom_llm_provider: str | None = None) -> ModelInfo:
    return _lookup_model_info(model, custom_llm_provider)
