"""The provider-call span: a CLIENT span around each call the gateway makes through its
dispatcher (the router), named and attributed after OpenTelemetry's GenAI conventions.

:class:`TracedDispatcher` wraps the router only when tracing is on. Attributes are facts
about the call (models, deployment, token counts, cost, error class), never its content:
no prompt, no completion, no credential, no api_base path or query.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from lockgate.errors import LockgateError

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer

    from lockgate.types import ChatCompletionChunk, Usage

__all__ = ["TracedDispatcher"]

# Request parameters worth a span attribute (numbers and flags only).
_REQUEST_PARAMS: Final = (
    ("max_tokens", "gen_ai.request.max_tokens"),
    ("max_completion_tokens", "gen_ai.request.max_tokens"),
    ("temperature", "gen_ai.request.temperature"),
    ("top_p", "gen_ai.request.top_p"),
    ("seed", "gen_ai.request.seed"),
)


class TracedDispatcher:
    """A dispatcher (the router) whose calls each get a provider span, child of the
    current (server) span. Anything else is passed through unchanged."""

    def __init__(self, inner: Any, tracer: Tracer) -> None:
        self.inner = inner
        self._tracer = tracer

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)  # health_check, deployments, state, ...

    async def acompletion(
        self,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        *,
        stream: bool = False,
        **kwargs: Any,
    ) -> Any:
        span = self._start("chat", model, kwargs, stream=stream)
        try:
            result = await self.inner.acompletion(model, messages, stream=stream, **kwargs)
        except BaseException as error:
            _fail(span, error)
            raise
        if stream:
            return _TracedStream(result, span)
        _finish(span, result.model, result.usage, result._hidden_params, _finishes(result))
        return result

    async def atext_completion(self, model: str, prompt: Any, **kwargs: Any) -> Any:
        return await self._unary(
            "text_completion", self.inner.atext_completion, model, prompt, kwargs
        )

    async def aembedding(self, model: str, input: Any, **kwargs: Any) -> Any:
        return await self._unary("embeddings", self.inner.aembedding, model, input, kwargs)

    async def apassthrough(
        self,
        model: str,
        endpoint: str,
        body: bytes,
        content_type: str = "application/json",
        *,
        stream: bool = False,
        **kwargs: Any,
    ) -> Any:
        # A forwarded stream's span ends when its headers arrive: its body is not parsed.
        span = self._start(endpoint.strip("/"), model, kwargs, stream=stream)
        try:
            result = await self.inner.apassthrough(
                model, endpoint, body, content_type, stream=stream, **kwargs
            )
        except BaseException as error:
            _fail(span, error)
            raise
        status = getattr(result, "status", 200)
        span.set_attribute("http.response.status_code", int(status))
        if int(status) >= 400:
            span.set_attribute("error.type", str(status))
            span.set_status(Status(StatusCode.ERROR, str(status)))
        _finish(span, None, None, getattr(result, "_hidden_params", {}), ())
        return result

    async def _unary(
        self, operation: str, method: Any, model: str, payload: Any, kwargs: dict[str, Any]
    ) -> Any:
        span = self._start(operation, model, kwargs, stream=False)
        try:
            result = await method(model, payload, **kwargs)
        except BaseException as error:
            _fail(span, error)
            raise
        _finish(span, result.model, result.usage, result._hidden_params, _finishes(result))
        return result

    def _start(
        self, operation: str, model: str, params: Mapping[str, Any], *, stream: bool
    ) -> Span:
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": operation,
            "gen_ai.request.model": model,
            "lockgate.requested_model": model,
            "lockgate.stream": stream,
        }
        for name, attribute in _REQUEST_PARAMS:
            value = params.get(name)
            if isinstance(value, int | float) and not isinstance(value, bool):
                attributes[attribute] = value
        return self._tracer.start_span(
            f"{operation} {model}", kind=SpanKind.CLIENT, attributes=attributes
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


class _TracedStream:
    """The routed chunk stream; its span ends with the stream (end, error or close)."""

    def __init__(self, inner: Any, span: Span) -> None:
        self._inner = inner
        self._span: Span | None = span
        self._hidden_params: dict[str, Any] = inner._hidden_params
        self._model: str | None = None
        self._finishes: list[str] = []

    @property
    def usage(self) -> Usage | None:
        usage: Usage | None = self._inner.usage
        return usage

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __aiter__(self) -> AsyncIterator[ChatCompletionChunk]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[ChatCompletionChunk]:
        try:
            async for chunk in self._inner:
                if self._model is None:
                    self._model = chunk.model or None
                    if self._span is not None:
                        self._span.add_event("gen_ai.first_chunk")
                for choice in chunk.choices:
                    if choice.finish_reason:
                        self._finishes.append(choice.finish_reason)
                yield chunk
        except BaseException as error:
            if self._span is not None:
                span, self._span = self._span, None
                _fail(span, error)
            raise
        self._end()

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            self._end()

    def _end(self) -> None:
        span, self._span = self._span, None
        if span is not None:
            _finish(span, self._model, self._inner.usage, self._hidden_params, self._finishes)


def _finishes(result: Any) -> list[str]:
    return [
        c.finish_reason for c in getattr(result, "choices", ()) if getattr(c, "finish_reason", None)
    ]


def _finish(
    span: Span,
    response_model: str | None,
    usage: Any,
    hidden: Mapping[str, Any],
    finishes: Sequence[str],
) -> None:
    attributes: dict[str, Any] = {}
    if response_model:
        attributes["gen_ai.response.model"] = response_model
    if finishes:
        attributes["gen_ai.response.finish_reasons"] = list(finishes)
    if usage is not None:
        attributes["gen_ai.usage.input_tokens"] = int(getattr(usage, "prompt_tokens", 0) or 0)
        attributes["gen_ai.usage.output_tokens"] = int(getattr(usage, "completion_tokens", 0) or 0)
    attributes.update(_deployment_attributes(hidden))
    cost = hidden.get("response_cost")
    if isinstance(cost, int | float):
        attributes["lockgate.cost_usd"] = float(cost)
    span.set_attributes(attributes)
    span.end()


def _deployment_attributes(hidden: Mapping[str, Any]) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    upstream = hidden.get("deployment")
    provider = hidden.get("custom_llm_provider")
    if isinstance(upstream, str) and upstream:
        prefix, sep, name = upstream.partition("/")
        attributes["gen_ai.request.model"] = name if sep else upstream
        provider = provider or (prefix if sep else None)
    if isinstance(provider, str) and provider:
        attributes["gen_ai.provider.name"] = provider
        attributes["gen_ai.system"] = provider  # the attribute's older name
    for key, attribute in (
        ("model_id", "lockgate.deployment.id"),
        ("model_group", "lockgate.model_group"),
        ("attempted_retries", "lockgate.attempted_retries"),
        ("attempted_fallbacks", "lockgate.attempted_fallbacks"),
    ):
        value = hidden.get(key)
        if isinstance(value, str | int) and value != "":
            attributes[attribute] = value
    api_base = hidden.get("api_base")
    if isinstance(api_base, str) and api_base:
        parts = urlsplit(api_base)  # host and port only: a path or query may carry a key
        if parts.hostname:
            attributes["server.address"] = parts.hostname
            if parts.port:
                attributes["server.port"] = parts.port
    return attributes


def _fail(span: Span, error: BaseException) -> None:
    """Error class and status on the provider span, and the error status on its parent
    (the request's server span) too: the request failed because the provider did."""
    kind = type(error).__name__
    span.set_attribute("error.type", kind)
    if isinstance(error, LockgateError):
        status = getattr(error, "status_code", None)
        if isinstance(status, int):
            span.set_attribute("http.response.status_code", status)
        provider = getattr(error, "provider", None)
        if isinstance(provider, str) and provider:
            span.set_attribute("gen_ai.provider.name", provider)
        span.set_status(Status(StatusCode.ERROR, kind))
        parent = trace.get_current_span()
        if parent is not span and parent.is_recording():
            parent.set_status(Status(StatusCode.ERROR, f"upstream {kind}"))
    span.end()
