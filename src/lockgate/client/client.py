"""The async core of the SDK: resolve the model, build the call, send it, retry, fall back,
and price the result. The module-level functions in :mod:`lockgate` are thin wrappers."""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Coroutine, Mapping, Sequence
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

from lockgate.client.chat_plan import ChatPlan, FixedOptions, credentials_are_fixed
from lockgate.client.credentials import CredentialCache
from lockgate.client.destinations import ConfiguredDestinations
from lockgate.client.mock_response import mock_completion
from lockgate.client.params import check_supported, split_options
from lockgate.client.raw_stream import RawStream
from lockgate.client.rerank import translated_rerank
from lockgate.client.retry import RetryPolicy, call_with_retries
from lockgate.client.stream import CompletionStream, decoder_for
from lockgate.errors import (
    BadRequestError,
    ContentPolicyViolationError,
    ContextWindowExceededError,
    LockgateError,
    UnsupportedParamsError,
)
from lockgate.pricing import ModelTable, cost_for_usage
from lockgate.providers.base import ChatAdapter, EmbeddingAdapter, TextCompletionAdapter
from lockgate.providers.call import ChatCall, Credentials, EmbeddingCall, TextCompletionCall
from lockgate.providers.gemini.google_tokens import GoogleTokens
from lockgate.providers.openai.passthrough import build_passthrough_request
from lockgate.providers.registry import ProviderRegistry
from lockgate.providers.rerank import RerankAdapter
from lockgate.providers.spec import ProviderSpec
from lockgate.transport.egress import EgressPolicy
from lockgate.transport.messages import Timeouts, UpstreamRequest, UpstreamResponse
from lockgate.types import ChatCompletion, EmbeddingResponse, TextCompletion, Usage

if TYPE_CHECKING:
    from lockgate.transport.http_client import HttpTransport

__all__ = ["Client", "ClientSettings"]


@dataclasses.dataclass(frozen=True, slots=True)
class ClientSettings:
    timeout: float | None = 600.0
    drop_params: bool = False
    retry: RetryPolicy = dataclasses.field(default_factory=RetryPolicy)


def _is_fallback_worthy(error: LockgateError) -> bool:
    """A fallback model may succeed where the caller's own request was not the problem."""
    if isinstance(error, ContextWindowExceededError | ContentPolicyViolationError):
        return True
    return not isinstance(error, BadRequestError | UnsupportedParamsError)


class Client:
    """Holds the transport (one pooled session per event loop) and the immutable settings."""

    def __init__(
        self,
        *,
        settings: ClientSettings | None = None,
        registry: ProviderRegistry | None = None,
        egress: EgressPolicy | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.settings = settings or ClientSettings()
        self.registry = registry or ProviderRegistry()
        default_hosts = frozenset().union(
            *(p.default_hosts for p in self.registry.providers.values())
        )
        from lockgate.transport.http_client import HttpTransport  # loaded on first use

        self.transport: HttpTransport = HttpTransport(
            egress or EgressPolicy(allowed_hosts=default_hosts)
        )
        # Vertex AI tokens minted from Google credentials, cached per credential.
        self._google_tokens = GoogleTokens(self.transport)
        # The environment is read at call time, so keys exported after import are seen.
        self._env: Mapping[str, str] = env if env is not None else os.environ
        self._credential_cache = CredentialCache()
        self._destinations = ConfiguredDestinations(self)

    async def aclose(self) -> None:
        await self.transport.aclose()

    # ----------------------------------------------------------------- chat completions
    async def acompletion(
        self,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        *,
        stream: bool = False,
        **kwargs: Any,
    ) -> ChatCompletion | CompletionStream:
        params, options = split_options(kwargs)
        fallbacks = options.pop("fallbacks", None) or []
        try:
            return await self._completion_with_retries(model, messages, stream, params, options)
        except LockgateError as error:
            if not fallbacks or not _is_fallback_worthy(error):
                raise
            last = error
        for fallback in fallbacks:
            fb_model, fb_options = _fallback_target(fallback, options)
            try:
                return await self._completion_with_retries(
                    fb_model, messages, stream, params, fb_options
                )
            except LockgateError as error:
                last = error
        raise last

    def acompletion_fixed(
        self,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        *,
        stream: bool,
        params: dict[str, Any],
        options: FixedOptions,
    ) -> Coroutine[Any, Any, ChatCompletion | CompletionStream]:
        """``acompletion(model, messages, stream=stream, **params, **options.options)`` for
        ``params`` that hold no client option and no None value (a router's calls): the
        plan worked out from ``options`` is kept for the next call. Returns the coroutine
        to await (no coroutine of its own in between)."""
        if "fallbacks" in options.options:
            return self.acompletion(model, messages, stream=stream, **params, **options.options)
        return self._completion_with_retries(
            model, messages, stream, params, options.options, options
        )

    def _chat_plan(
        self, model: str, options: Mapping[str, Any], messages: Sequence[Any]
    ) -> ChatPlan:
        """Checked in this order: the provider, the messages, then (unless the answer is a
        mock) the adapter and the credentials."""
        spec, upstream_model = self.registry.split_model(
            f"{options['custom_llm_provider']}/{model}"
            if "custom_llm_provider" in options
            else model
        )
        if not messages:
            raise BadRequestError("messages must not be empty", param="messages")
        if "mock_response" in options:
            return ChatPlan(spec, upstream_model, str(options["mock_response"]))
        adapter = self.registry.adapter(spec)
        credentials = (
            self._credentials(spec, options) if credentials_are_fixed(spec, options) else None
        )
        timeouts = _timeouts(
            options.get("timeout", options.get("request_timeout", self.settings.timeout))
        )
        return ChatPlan(
            spec, upstream_model, None, adapter, credentials, self._retry_policy(options), timeouts
        )

    async def _completion_with_retries(
        self,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        stream: bool,
        params: dict[str, Any],
        options: dict[str, Any],
        fixed: FixedOptions | None = None,
    ) -> ChatCompletion | CompletionStream:
        plan = fixed.plan(model) if fixed is not None else None
        if plan is None:
            plan = self._chat_plan(model, options, messages)
            if fixed is not None:
                fixed.keep(model, plan)
        elif not messages:
            raise BadRequestError("messages must not be empty", param="messages")
        spec, upstream_model = plan.spec, plan.upstream_model
        message_list = [dict(m) for m in messages]
        if plan.mock_response is not None:
            response = mock_completion(model, message_list, plan.mock_response)
            response._hidden_params["response_cost"] = self._cost(
                response.usage, spec, upstream_model
            )
            return response
        adapter, policy, timeouts = plan.adapter, plan.policy, plan.timeouts
        assert adapter is not None and policy is not None and timeouts is not None
        credentials = plan.credentials or self._credentials(spec, options)
        call = self._chat_call(
            spec, upstream_model, adapter, message_list, stream, params, options, credentials
        )
        if spec.protocol == "vertex":
            call = dataclasses.replace(call, credentials=await self._vertex_auth(call, options))
        request = adapter.build_chat_request(call)
        if call.credentials is plan.credentials:
            request = self._destinations.allow_planned(request, plan)
        else:
            request = self._destinations.allow_configured(request, call.credentials)
        if stream:
            return await call_with_retries(
                lambda: self._open_stream(adapter, call, request, timeouts), policy
            )
        if not policy.num_retries:  # one attempt (a router retries itself): no wrapper
            # What _complete_once does, written out: one coroutine less per chat call.
            try:
                answer = await self.transport.send(request, timeouts)
            except LockgateError as error:
                raise _tag(error, spec.name, call.model) from error
            return self._completion(adapter, call, answer)
        return await call_with_retries(
            lambda: self._complete_once(adapter, call, request, timeouts), policy
        )

    def _chat_call(
        self,
        spec: ProviderSpec,
        model: str,
        adapter: ChatAdapter,
        messages: list[dict[str, Any]],
        stream: bool,
        params: dict[str, Any],
        options: Mapping[str, Any],
        credentials: Credentials,
    ) -> ChatCall:
        include_usage = False
        if stream:
            stream_options = params.get("stream_options")
            include_usage = isinstance(stream_options, Mapping) and bool(
                stream_options.get("include_usage")
            )
        draft = ChatCall(spec, model, messages, params, stream, credentials, include_usage)
        if not params:
            return draft  # nothing to check (model and messages travel apart)
        supported = adapter.supported_params(draft)
        if "reasoning_effort" in params:
            supported = _without_unsupported_reasoning(supported, spec, model)
        kept = check_supported(
            params,
            supported,
            drop_params=bool(options.get("drop_params", self.settings.drop_params)),
            additional_drop=frozenset(options.get("additional_drop_params") or ()),
            provider=spec.name,
            model=model,
            droppable=frozenset(options.get("droppable_params") or ()),
        )
        if kept is params:
            return draft
        return ChatCall(spec, model, messages, kept, stream, credentials, include_usage)

    async def _complete_once(
        self, adapter: ChatAdapter, call: ChatCall, request: UpstreamRequest, timeouts: Timeouts
    ) -> ChatCompletion:
        # What _send does, written out: one coroutine less on every chat call.
        try:
            response = await self.transport.send(request, timeouts)
        except LockgateError as error:
            raise _tag(error, call.provider.name, call.model) from error
        return self._completion(adapter, call, response)

    def _completion(
        self, adapter: ChatAdapter, call: ChatCall, response: UpstreamResponse
    ) -> ChatCompletion:
        """The upstream's answer as a completion (its error if it failed), priced."""
        spec = call.provider
        if response.status >= 400:
            raise _tag(adapter.map_error(response), spec.name, call.model)
        completion = adapter.parse_chat_response(call, response)
        hidden = completion._hidden_params
        hidden["response_cost"] = self._cost(completion.usage, spec, call.model)
        hidden["custom_llm_provider"] = spec.name
        # To the microsecond, as round(ms, 3) would at less than half its cost (it can
        # differ in the last digit only within a rounding error of a half-microsecond).
        hidden["provider_latency_ms"] = round(response.elapsed * 1_000_000) / 1000
        return completion

    async def _open_stream(
        self, adapter: ChatAdapter, call: ChatCall, request: UpstreamRequest, timeouts: Timeouts
    ) -> CompletionStream:
        exits = AsyncExitStack()
        try:
            upstream = await exits.enter_async_context(self.transport.stream(request, timeouts))
            if upstream.status >= 400:
                body = await upstream.read_body()
                error = adapter.map_error(UpstreamResponse(upstream.status, upstream.headers, body))
                raise _tag(error, call.provider.name, call.model)
        except BaseException:
            await exits.aclose()
            raise
        return CompletionStream(
            upstream,
            exits,
            decoder_for(adapter.framing),
            adapter.stream_parser(call),
            include_usage=call.include_usage,
            cost_of=lambda usage: self._cost(usage, call.provider, call.model),
            provider=call.provider.name,
            model=call.model,
        )

    # ----------------------------------------------------------------- embeddings
    async def aembedding(
        self, model: str, input: str | list[str] | list[list[int]], **kwargs: Any
    ) -> EmbeddingResponse:
        params, options = split_options(kwargs)
        spec, upstream_model = self.registry.split_model(model)
        adapter = self.registry.adapter(spec)
        if not isinstance(adapter, EmbeddingAdapter) or not spec.quirks.supports_embeddings:
            raise BadRequestError(
                f"provider {spec.name!r} does not serve embeddings", param="model"
            )
        call = EmbeddingCall(spec, upstream_model, input, params, self._credentials(spec, options))
        if spec.protocol == "vertex":
            call = dataclasses.replace(call, credentials=await self._vertex_auth(call, options))
        request = self._destinations.allow_configured(
            adapter.build_embedding_request(call), call.credentials
        )
        timeouts = _timeouts(options.get("timeout", self.settings.timeout))

        async def once() -> EmbeddingResponse:
            response = await self._send(request, timeouts, adapter, spec, upstream_model)
            result = adapter.parse_embedding_response(call, response)
            result._hidden_params["response_cost"] = self._cost(result.usage, spec, upstream_model)
            return result

        return await call_with_retries(once, self._retry_policy(options))

    # ----------------------------------------------------------------- text completions
    async def atext_completion(
        self, model: str, prompt: str | list[str], **kwargs: Any
    ) -> TextCompletion:
        params, options = split_options(kwargs)
        spec, upstream_model = self.registry.split_model(model)
        adapter = self.registry.adapter(spec)
        if (
            not isinstance(adapter, TextCompletionAdapter)
            or not spec.quirks.supports_text_completion
        ):
            raise BadRequestError(
                f"provider {spec.name!r} does not serve text completions", param="model"
            )
        call = TextCompletionCall(
            spec, upstream_model, prompt, params, self._credentials(spec, options)
        )
        request = self._destinations.allow_configured(
            adapter.build_text_completion_request(call), call.credentials
        )
        timeouts = _timeouts(options.get("timeout", self.settings.timeout))

        async def once() -> TextCompletion:
            response = await self._send(request, timeouts, adapter, spec, upstream_model)
            result = adapter.parse_text_completion_response(call, response)
            result._hidden_params["response_cost"] = self._cost(result.usage, spec, upstream_model)
            return result

        return await call_with_retries(once, self._retry_policy(options))

    # ----------------------------------------------------------------- forwarded routes
    async def apassthrough(
        self,
        model: str,
        endpoint: str,
        body: bytes,
        content_type: str = "application/json",
        *,
        stream: bool = False,
        **kwargs: Any,
    ) -> UpstreamResponse | RawStream:
        """Forward an OpenAI route lockgate does not translate (images, audio, moderations,
        responses, rerank) to a provider that serves it; only the model name is changed."""
        _, options = split_options(kwargs)
        spec, upstream_model = self.registry.split_model(model)
        if endpoint not in spec.quirks.passthrough_endpoints:
            raise BadRequestError(
                f"provider {spec.name!r} does not serve {endpoint}", param="model"
            )
        if endpoint == "/rerank" and isinstance(self.registry.adapter(spec), RerankAdapter):
            return await translated_rerank(self, model, body, **kwargs)  # Cohere, Bedrock
        credentials = self._credentials(spec, options)
        request = self._destinations.allow_configured(
            build_passthrough_request(
                spec, credentials, endpoint, upstream_model, body, content_type
            ),
            credentials,
        )
        timeouts = _timeouts(options.get("timeout", self.settings.timeout))
        adapter = self.registry.adapter(spec)
        if not stream:
            return await call_with_retries(
                lambda: self._send(request, timeouts, adapter, spec, upstream_model),
                self._retry_policy(options),
            )

        async def open_stream() -> RawStream:
            exits = AsyncExitStack()
            try:
                upstream = await exits.enter_async_context(self.transport.stream(request, timeouts))
                if upstream.status >= 400:
                    error_body = await upstream.read_body()
                    failed = UpstreamResponse(upstream.status, upstream.headers, error_body)
                    raise _tag(adapter.map_error(failed), spec.name, upstream_model)
            except BaseException:
                await exits.aclose()
                raise
            return RawStream(upstream, exits)

        return await call_with_retries(open_stream, self._retry_policy(options))

    # ----------------------------------------------------------------- shared steps
    def _credentials(self, spec: ProviderSpec, options: Mapping[str, Any]) -> Credentials:
        return self._credential_cache.resolve(spec, self._env, options)

    async def _vertex_auth(
        self, call: ChatCall | EmbeddingCall, options: Mapping[str, Any]
    ) -> Credentials:
        """A token minted from ``vertex_credentials`` (else Application Default Credentials)
        unless the call carries a ready access token and no vertex_credentials."""
        credentials = call.credentials
        if credentials.api_key is not None and "vertex_credentials" not in options:
            return credentials
        return await self._google_tokens.authorize(
            credentials, options.get("vertex_credentials"), self._env
        )

    def _retry_policy(self, options: Mapping[str, Any]) -> RetryPolicy:
        retries = int(
            options.get("num_retries", options.get("max_retries", self.settings.retry.num_retries))
        )
        if retries == self.settings.retry.num_retries:
            return self.settings.retry
        return dataclasses.replace(self.settings.retry, num_retries=retries)

    async def _send(
        self,
        request: UpstreamRequest,
        timeouts: Timeouts,
        adapter: ChatAdapter | EmbeddingAdapter | TextCompletionAdapter,
        spec: ProviderSpec,
        model: str,
    ) -> UpstreamResponse:
        try:
            response = await self.transport.send(request, timeouts)
        except LockgateError as error:
            raise _tag(error, spec.name, model) from error
        if response.status >= 400:
            mapper = adapter if isinstance(adapter, ChatAdapter) else self.registry.adapter(spec)
            raise _tag(mapper.map_error(response), spec.name, model)
        return response

    @staticmethod
    def _cost(usage: Usage | None, spec: ProviderSpec, model: str) -> float | None:
        if usage is None:
            return None
        return cost_for_usage(usage, model, spec.name)


def _without_unsupported_reasoning(
    supported: frozenset[str], spec: ProviderSpec, model: str
) -> frozenset[str]:
    """``reasoning_effort`` only for a model the table knows and does not mark as reasoning:
    sending it to gpt-4o-mini is a 400 upstream, so it is dropped (drop_params) or refused
    here. Unknown models keep it: the provider decides."""
    if "reasoning_effort" not in supported:
        return supported
    info = ModelTable.packaged().lookup(model, spec.name)
    if info is not None and info.supports and not info.has("reasoning"):
        return supported - {"reasoning_effort"}
    return supported


def _tag(error: LockgateError, provider: str, model: str) -> LockgateError:
    error.provider = error.provider or provider
    error.model = error.model or model
    return error


def _fallback_target(fallback: Any, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A fallback is a model name, or a dict with ``model`` and per-call options."""
    if isinstance(fallback, str):
        # Credentials of the primary model do not carry over to another model.
        base = {k: v for k, v in options.items() if k not in ("api_key", "api_base", "base_url")}
        return fallback, base
    if isinstance(fallback, Mapping) and isinstance(fallback.get("model"), str):
        merged = {**options, **{k: v for k, v in fallback.items() if k != "model"}}
        return fallback["model"], merged
    raise BadRequestError(
        "each fallback must be a model name or a dict with 'model'", param="fallbacks"
    )


@functools.lru_cache(maxsize=64)
def _timeouts(total: float | None) -> Timeouts:
    """Time limits for a total (memoised: a gateway uses the same few, and they are
    immutable)."""
    return Timeouts.from_total(total)
