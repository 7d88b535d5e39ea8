"""The router's synchronous methods: each runs its asynchronous twin on the router's own
background loop (:class:`~lockgate.router.sync_runner.SyncRunner`). Use either the
synchronous or the asynchronous methods of one router, not both: a Redis connection, like
every connection the router holds, belongs to one event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from lockgate.router.stream import RoutedStream, SyncRoutedStream
from lockgate.router.sync_runner import SyncRunner
from lockgate.types import ChatCompletion, EmbeddingResponse, TextCompletion

if TYPE_CHECKING:
    from lockgate.router.deployment import Deployment

__all__ = ["SyncMethods"]


class SyncMethods:
    """Mixed into :class:`~lockgate.router.Router`, which provides the asynchronous
    methods declared below and makes ``_loop``."""

    _loop: SyncRunner

    if TYPE_CHECKING:

        async def acompletion(
            self,
            model: str,
            messages: Sequence[Mapping[str, Any]],
            *,
            stream: bool = False,
            **kwargs: Any,
        ) -> ChatCompletion | RoutedStream: ...

        async def aembedding(
            self, model: str, input: str | list[str] | list[list[int]], **kwargs: Any
        ) -> EmbeddingResponse: ...

        async def atext_completion(
            self, model: str, prompt: str | list[str], **kwargs: Any
        ) -> TextCompletion: ...

        async def async_get_available_deployment(
            self,
            model: str,
            messages: Sequence[Mapping[str, Any]] | None = None,
            request_kwargs: Mapping[str, Any] | None = None,
        ) -> Deployment: ...

        async def aclose(self) -> None: ...

    def completion(
        self,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        *,
        stream: bool = False,
        **kwargs: Any,
    ) -> ChatCompletion | SyncRoutedStream:
        """Synchronous :meth:`acompletion`."""
        result = self._loop.run(lambda: self.acompletion(model, messages, stream=stream, **kwargs))
        if isinstance(result, RoutedStream):
            return SyncRoutedStream(result, self._loop)
        return result

    def embedding(
        self, model: str, input: str | list[str] | list[list[int]], **kwargs: Any
    ) -> EmbeddingResponse:
        return self._loop.run(lambda: self.aembedding(model, input, **kwargs))

    def text_completion(self, model: str, prompt: str | list[str], **kwargs: Any) -> TextCompletion:
        return self._loop.run(lambda: self.atext_completion(model, prompt, **kwargs))

    def get_available_deployment(
        self,
        model: str,
        messages: Sequence[Mapping[str, Any]] | None = None,
        request_kwargs: Mapping[str, Any] | None = None,
    ) -> Deployment:
        return self._loop.run(
            lambda: self.async_get_available_deployment(model, messages, request_kwargs)
        )

    def close(self) -> None:
        """Synchronous :meth:`aclose`, for a router used through the synchronous methods:
        closes what the router made and stops its background loop."""
        if not self._loop.started:
            asyncio.run(self.aclose())
            return
        try:
            self._loop.run(self.aclose)
        finally:
            self._loop.stop()
