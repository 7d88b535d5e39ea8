"""``lockgate.Router``: load balancing, retries, fallbacks and cooldowns over deployments.

Configured like LiteLLM's Router (``Router(model_list=[...], routing_strategy=...,
num_retries=..., fallbacks=[{"gpt-4": ["gpt-3.5"]}])``) or from a loaded config file
(:meth:`Router.from_config`); both go through the same validation.

Every response names the deployment that served it in ``response._hidden_params``
(``model_id``, ``deployment``, ``model_group``, ``api_base``, ``requested_model``,
``attempted_retries``, ``attempted_fallbacks``); a stream carries the same dict.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from lockgate.client import Client, CompletionStream
from lockgate.client.raw_stream import RawStream
from lockgate.errors import LockgateError
from lockgate.router.call_options import FixedCalls, RequestOptions, call_kwargs, split_request
from lockgate.router.deployment import Deployment, build_deployments
from lockgate.router.execution import Call, Executor, Served
from lockgate.router.health import HealthReport, check_deployments
from lockgate.router.model_groups import ModelGroups
from lockgate.router.outcomes import (
    default_latency_sample,
    hidden_params,
    note_hidden_params,
    passthrough_measure,
    stream_measure,
    unary_measure,
)
from lockgate.router.price_override import priced
from lockgate.router.request import RequestContext
from lockgate.router.selection import Selector
from lockgate.router.settings import RouterPolicy, config_from_arguments
from lockgate.router.state.base import RouterState
from lockgate.router.state.factory import state_for
from lockgate.router.strategies import LatencyBased, make_strategy
from lockgate.router.stream import OpenedStream, RoutedStream, open_stream
from lockgate.router.sync_methods import SyncMethods
from lockgate.router.sync_runner import SyncRunner
from lockgate.transport.messages import UpstreamResponse
from lockgate.types import ChatCompletion, EmbeddingResponse, TextCompletion

if TYPE_CHECKING:
    from lockgate.config import Config

__all__ = ["Router"]

_DEFAULT_PREFIX = "lockgate:router"
# A response answered in one piece (its hidden params name the deployment).
_Unary = TypeVar("_Unary", ChatCompletion, EmbeddingResponse, TextCompletion)


class Router(SyncMethods):
    """Deployments grouped by model name, and the policies that route requests over them.
    Its synchronous methods (`completion`, `embedding`, ...) come from `SyncMethods`.
    See docs/router.md."""

    def __init__(
        self,
        model_list: Sequence[Mapping[str, Any]] | None = None,
        *,
        routing_strategy: str = "simple-shuffle",
        routing_strategy_args: Mapping[str, Any] | None = None,
        num_retries: int | None = None,
        max_fallbacks: int | None = None,
        timeout: float | None = None,
        stream_timeout: float | None = None,
        retry_after: float | None = None,
        allowed_fails: int | None = None,
        cooldown_time: float | None = None,
        disable_cooldowns: bool = False,
        fallbacks: Sequence[Mapping[str, Any]] | None = None,
        context_window_fallbacks: Sequence[Mapping[str, Any]] | None = None,
        content_policy_fallbacks: Sequence[Mapping[str, Any]] | None = None,
        default_fallbacks: Sequence[str] | None = None,
        retry_policy: Mapping[str, int] | None = None,
        model_group_retry_policy: Mapping[str, Mapping[str, int]] | None = None,
        allowed_fails_policy: Mapping[str, int] | None = None,
        model_group_alias: Mapping[str, Any] | None = None,
        enable_pre_call_checks: bool = False,
        enable_tag_filtering: bool = False,
        tag_filtering_match_any: bool = True,
        default_max_parallel_requests: int | None = None,
        default_litellm_params: Mapping[str, Any] | None = None,
        redis_host: str | None = None,
        redis_port: int | None = None,
        redis_password: str | None = None,
        redis_url: str | None = None,
        # lockgate's own
        client: Client | None = None,
        state: RouterState | None = None,
        failure_window: float = 60.0,
        redis_key_prefix: str = _DEFAULT_PREFIX,
        seed: int | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        settings = {
            "routing_strategy": routing_strategy,
            "routing_strategy_args": routing_strategy_args,
            "num_retries": num_retries,
            "max_fallbacks": max_fallbacks,
            "timeout": timeout,
            "stream_timeout": stream_timeout,
            "retry_after": retry_after,
            "allowed_fails": allowed_fails,
            "cooldown_time": cooldown_time,
            "disable_cooldowns": disable_cooldowns,
            "fallbacks": fallbacks,
            "context_window_fallbacks": context_window_fallbacks,
            "content_policy_fallbacks": content_policy_fallbacks,
            "default_fallbacks": default_fallbacks,
            "retry_policy": retry_policy,
            "model_group_retry_policy": model_group_retry_policy,
            "allowed_fails_policy": allowed_fails_policy,
            "model_group_alias": model_group_alias,
            "enable_pre_call_checks": enable_pre_call_checks,
            "enable_tag_filtering": enable_tag_filtering,
            "tag_filtering_match_any": tag_filtering_match_any,
            "default_max_parallel_requests": default_max_parallel_requests,
            "default_litellm_params": default_litellm_params,
            "redis_host": redis_host,
            "redis_port": redis_port,
            "redis_password": redis_password,
            "redis_url": redis_url,
        }
        config = config_from_arguments(model_list, settings, os.environ if env is None else env)
        self._setup(config, client, state, failure_window, redis_key_prefix, seed)

    @classmethod
    def from_config(
        cls,
        config: Config,
        client: Client | None = None,
        *,
        state: RouterState | None = None,
        failure_window: float = 60.0,
        redis_key_prefix: str = _DEFAULT_PREFIX,
        seed: int | None = None,
    ) -> Router:
        """A router for a loaded config: ``model_list``, ``router_settings`` and the
        routing parts of ``litellm_settings``."""
        router = cls.__new__(cls)
        router._setup(config, client, state, failure_window, redis_key_prefix, seed)
        return router

    def _setup(
        self,
        config: Config,
        client: Client | None,
        state: RouterState | None,
        failure_window: float,
        redis_key_prefix: str,
        seed: int | None,
    ) -> None:
        policy = RouterPolicy.resolve(config.router, config.settings, failure_window=failure_window)
        self.policy = policy
        self.deployments: tuple[Deployment, ...] = build_deployments(
            config.model_list, policy.default_params, policy.default_max_parallel_requests
        )
        aliases = config.router.model_group_alias
        self._groups = ModelGroups(
            self.deployments,
            {alias: target.model for alias, target in aliases.items()},
            frozenset(alias for alias, target in aliases.items() if target.hidden),
        )
        self._check_fallbacks()
        rng = random.Random(seed)
        strategy = make_strategy(policy.strategy, policy.strategy_args, rng)
        self._owns_state = state is None
        self.state: RouterState = (
            state if state is not None else state_for(config, redis_key_prefix)
        )
        self._owns_client = client is None
        self.client = client if client is not None else Client()
        # Routine chat calls go through the client's acompletion_fixed, unless a subclass
        # has its own acompletion (which must then see every call).
        self._plain_client = type(self.client).acompletion is Client.acompletion
        self._fixed_calls = FixedCalls(policy.timeout, policy.stream_timeout)
        self._executor = Executor(
            state=self.state,
            groups=self._groups,
            selector=Selector(
                self.state,
                strategy,
                pre_call_checks=policy.pre_call_checks,
                tag_filtering=policy.tag_filtering,
                tags_match_any=policy.tags_match_any,
            ),
            cooldowns=policy.cooldowns,
            retries=policy.retries,
            fallbacks=policy.fallbacks,
            latency_sample=strategy.sample
            if isinstance(strategy, LatencyBased)
            else default_latency_sample,
            rng=rng,
        )
        self._loop = SyncRunner()
        self.last_health_report: HealthReport | None = None

    def _check_fallbacks(self) -> None:
        table = self.policy.fallbacks
        for kind, entries in (
            ("fallbacks", table.fallbacks),
            ("context_window_fallbacks", table.context_window),
            ("content_policy_fallbacks", table.content_policy),
            ("default_fallbacks", {"*": table.default}),
        ):
            for group, targets in entries.items():
                for name in (group, *targets):
                    if name != "*" and self._groups.resolve(name) is None:
                        raise ValueError(f"{kind} name {name!r}, which no model group serves")

    # ------------------------------------------------------------------ chat completions
    async def acompletion(
        self,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        *,
        stream: bool = False,
        **kwargs: Any,
    ) -> ChatCompletion | RoutedStream:
        request = split_request(kwargs)
        tools = request.params.get("tools")
        if not isinstance(tools, list):
            tools = None
        ctx = RequestContext(messages, None, tools, request.tags)  # positional: cheaper
        client = self.client
        fixed_calls = self._fixed_calls if request.routine and self._plain_client else None
        if stream:

            async def open_call(deployment: Deployment, upstream: str) -> OpenedStream:
                started = time.perf_counter()
                if fixed_calls is not None:
                    defaults, fixed = fixed_calls.get(deployment, True)
                    result = await client.acompletion_fixed(
                        upstream,
                        messages,
                        stream=True,
                        params={**defaults, **request.params},
                        options=fixed,
                    )
                else:
                    kw = self._kwargs(deployment, request, stream=True)
                    result = await client.acompletion(upstream, messages, stream=True, **kw)
                if not isinstance(result, CompletionStream):
                    raise TypeError("the client answered a stream request without a stream")
                return await open_stream(result, started)

            opened = await self._executor.run(
                model,
                ctx,
                open_call,
                stream_measure,
                num_retries=request.num_retries,
                fallbacks=request.fallbacks,
            )
            return self._routed_stream(opened, model)

        async def call(deployment: Deployment, upstream: str) -> ChatCompletion:
            if fixed_calls is not None:
                defaults, fixed = fixed_calls.get(deployment, False)
                result = await client.acompletion_fixed(
                    upstream,
                    messages,
                    stream=False,
                    params={**defaults, **request.params},
                    options=fixed,
                )
            else:
                kw = self._kwargs(deployment, request, stream=False)
                result = await client.acompletion(upstream, messages, stream=False, **kw)
            if not isinstance(result, ChatCompletion):
                raise TypeError("the client answered a non-stream request with a stream")
            return result

        # What _unary does, written out: one coroutine less on every chat request.
        served = await self._executor.run(
            model,
            ctx,
            call,
            unary_measure,
            num_retries=request.num_retries,
            fallbacks=request.fallbacks,
        )
        return self._unary_result(served, model)

    def _routed_stream(self, served: Served[OpenedStream], model: str) -> RoutedStream:
        deployment = served.deployment
        executor = self._executor

        async def on_end(stream: RoutedStream, error: LockgateError | None) -> None:
            usage = stream.usage
            if deployment.prices is not None and usage is not None:
                stream._hidden_params["response_cost"] = priced(deployment.prices, usage, None)
            await executor.settle(
                served.route.group,
                deployment,
                tokens=usage.total_tokens if usage is not None else 0,
                latency=stream.time_to_first_chunk if error is None else None,
                error=error,
            )

        return RoutedStream(served.result, hidden_params(served, model), on_end)

    async def _unary(
        self,
        model: str,
        ctx: RequestContext,
        request: RequestOptions,
        call: Call[_Unary],
    ) -> _Unary:
        """Route a request answered in one response (chat, text, embeddings): ``call`` calls
        the client for one deployment's upstream model with that deployment's kwargs."""
        served = await self._executor.run(
            model,
            ctx,
            call,
            unary_measure,
            num_retries=request.num_retries,
            fallbacks=request.fallbacks,
        )
        return self._unary_result(served, model)

    def _unary_result(self, served: Served[_Unary], model: str) -> _Unary:
        """The result of a routed request answered in one response, with the routing's
        hidden params and the deployment's own price."""
        hidden = served.result._hidden_params
        note_hidden_params(hidden, served, model)
        prices = served.deployment.prices
        if prices is not None:  # the deployment's own prices, not the model table's
            hidden["response_cost"] = priced(
                prices, served.result.usage, hidden.get("response_cost")
            )
        return served.result

    def _kwargs(
        self, deployment: Deployment, request: RequestOptions, *, stream: bool
    ) -> dict[str, Any]:
        return call_kwargs(
            deployment,
            request,
            stream=stream,
            router_timeout=self.policy.timeout,
            router_stream_timeout=self.policy.stream_timeout,
        )

    # ------------------------------------------------------------------ embeddings, text
    async def aembedding(
        self, model: str, input: str | list[str] | list[list[int]], **kwargs: Any
    ) -> EmbeddingResponse:
        request = split_request(kwargs)
        ctx = RequestContext(prompt=input if isinstance(input, str) else None, tags=request.tags)
        client = self.client

        async def call(deployment: Deployment, upstream: str) -> EmbeddingResponse:
            kw = self._kwargs(deployment, request, stream=False)
            return await client.aembedding(upstream, input, **kw)

        return await self._unary(model, ctx, request, call)

    async def atext_completion(
        self, model: str, prompt: str | list[str], **kwargs: Any
    ) -> TextCompletion:
        request = split_request(kwargs)
        ctx = RequestContext(prompt=prompt, tags=request.tags)
        client = self.client

        async def call(deployment: Deployment, upstream: str) -> TextCompletion:
            kw = self._kwargs(deployment, request, stream=False)
            return await client.atext_completion(upstream, prompt, **kw)

        return await self._unary(model, ctx, request, call)

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
        """Forward an OpenAI route lockgate does not translate (images, audio, responses,
        ...) to a deployment of ``model``'s group: routed, retried and failed over like a
        completion until the upstream answers; a raw stream is passed on as it comes.
        A raw stream carries the deployment in ``_hidden_params``; a plain
        ``UpstreamResponse`` has no room for it."""
        request = split_request(kwargs)
        ctx = RequestContext(tags=request.tags)
        client = self.client

        async def call(deployment: Deployment, upstream: str) -> UpstreamResponse | RawStream:
            kw = self._kwargs(deployment, request, stream=stream)
            return await client.apassthrough(
                upstream, endpoint, body, content_type, stream=stream, **kw
            )

        served = await self._executor.run(
            model,
            ctx,
            call,
            passthrough_measure,
            num_retries=request.num_retries,
            fallbacks=request.fallbacks,
        )
        if isinstance(served.result, RawStream):
            served.result._hidden_params.update(hidden_params(served, model))
        return served.result

    # ------------------------------------------------------------------ introspection
    async def async_get_available_deployment(
        self,
        model: str,
        messages: Sequence[Mapping[str, Any]] | None = None,
        request_kwargs: Mapping[str, Any] | None = None,
    ) -> Deployment:
        """The deployment a request for ``model`` would be sent to now (nothing is sent)."""
        request = split_request(dict(request_kwargs or {}))
        route = self._executor.route(model)
        ctx = RequestContext(messages=messages, tags=request.tags)
        selection = await self._executor.selector.select(route.group, ctx)
        return selection.deployment

    def get_model_list(self, model_name: str | None = None) -> list[dict[str, Any]]:
        """The deployments in LiteLLM's shape, credentials redacted."""
        return [
            d.to_dict()
            for d in self.deployments
            if model_name is None or d.model_name == model_name
        ]

    def get_model_names(self, *, include_aliases: bool = False) -> list[str]:
        """Model group names in config order (and the visible aliases, when asked)."""
        return self._groups.names(include_aliases=include_aliases)

    def get_deployment(self, model_id: str) -> Deployment | None:
        return next((d for d in self.deployments if d.id == model_id), None)

    # ------------------------------------------------------------------ health
    async def health_check(
        self, model: str | None = None, *, probe_timeout: float = 10.0
    ) -> HealthReport:
        """Send a tiny request to each deployment (of ``model``'s group, or all)."""
        if model is None:
            deployments: Sequence[Deployment] = self.deployments
        else:
            deployments = self._executor.route(model).group.deployments
        report = await check_deployments(self.client, deployments, probe_timeout=probe_timeout)
        self.last_health_report = report
        return report

    async def run_health_checks(self, interval: float, *, probe_timeout: float = 10.0) -> NoReturn:
        """Check every deployment every ``interval`` seconds, forever (run it as a task;
        the latest report is ``last_health_report``)."""
        while True:
            await self.health_check(probe_timeout=probe_timeout)
            await asyncio.sleep(interval)

    # ------------------------------------------------------------------ lifecycle
    async def aclose(self) -> None:
        """Close what the router made itself: its client and its state."""
        try:
            if self._owns_client:
                await self.client.aclose()
        finally:
            if self._owns_state:
                await self.state.aclose()

    async def __aenter__(self) -> Router:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
