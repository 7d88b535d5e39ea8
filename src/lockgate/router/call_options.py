"""A routed call's keyword arguments: what the router keeps for itself, what the caller
may not choose, and the kwargs each deployment's call is made with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from lockgate.client.chat_plan import FixedOptions
from lockgate.client.params import CALL_OPTIONS
from lockgate.errors import BadRequestError
from lockgate.router.deployment import Deployment

__all__ = ["FixedCalls", "RequestOptions", "call_kwargs", "split_request"]

# A deployment's destination and credentials come from the configuration only.
_REFUSED: Final = frozenset(
    {"api_key", "api_base", "base_url", "api_version", "organization", "custom_llm_provider"}
)


# Built once per routed call and never changed after; not frozen only because a frozen
# dataclass costs several times more to build.
@dataclass(slots=True)
class RequestOptions:
    params: dict[str, Any]  # provider parameters and client options passed through
    tags: frozenset[str] | None
    fallbacks: tuple[str, ...] | None
    num_retries: int | None
    timeout: float | None
    extra_headers: Mapping[str, str] | None

    @property
    def routine(self) -> bool:
        """No timeout, headers or client options of the call's own: each deployment's
        call is made with its :class:`FixedCalls` options."""
        return (
            self.timeout is None and not self.extra_headers and CALL_OPTIONS.isdisjoint(self.params)
        )


# tags, fallbacks, num_retries, timeout and extra_headers of a call that sets none of them.
_NONE_OF_THEM: Final = (None, None, None, None, None)
_NO_OPTIONS: Final = RequestOptions({}, *_NONE_OF_THEM)
_MAX_FIXED_CALLS: Final = 1024


class FixedCalls:
    """Each deployment's call, split once into provider defaults and the client's
    :class:`FixedOptions` (which keep what the client works out from them): a routine
    request's call is then ``client.acompletion_fixed(..., params={**defaults, **params})``,
    the same call :func:`call_kwargs` makes."""

    def __init__(self, router_timeout: float | None, router_stream_timeout: float | None) -> None:
        self._timeout = router_timeout
        self._stream_timeout = router_stream_timeout
        self._calls: dict[tuple[Deployment, bool], tuple[dict[str, Any], FixedOptions]] = {}

    def get(self, deployment: Deployment, stream: bool) -> tuple[dict[str, Any], FixedOptions]:
        key = (deployment, stream)  # a Deployment hashes by identity
        found = self._calls.get(key)
        if found is None:
            kwargs = call_kwargs(
                deployment,
                _NO_OPTIONS,
                stream=stream,
                router_timeout=self._timeout,
                router_stream_timeout=self._stream_timeout,
            )
            defaults = {k: v for k, v in kwargs.items() if k not in CALL_OPTIONS and v is not None}
            options = FixedOptions({k: v for k, v in kwargs.items() if k in CALL_OPTIONS})
            if len(self._calls) >= _MAX_FIXED_CALLS:  # bounded: deployments can be replaced
                self._calls.clear()
            found = self._calls[key] = (defaults, options)
        return found


def _tags(metadata: Any, tags: Any) -> frozenset[str] | None:
    raw = tags
    if raw is None and isinstance(metadata, Mapping):
        raw = metadata.get("tags")
    if raw is None:
        return None
    if isinstance(raw, str) or not isinstance(raw, Sequence):
        raise BadRequestError("tags must be a list of strings", param="metadata.tags")
    if not all(isinstance(t, str) for t in raw):
        raise BadRequestError("tags must be a list of strings", param="metadata.tags")
    return frozenset(raw) or None


# The kwargs split_request takes out or refuses; a call with none of them (the usual one)
# only has its None values dropped.
_SPECIAL: Final = _REFUSED | {
    "metadata",
    "tags",
    "fallbacks",
    "num_retries",
    "max_retries",
    "timeout",
    "request_timeout",
    "extra_headers",
}


def split_request(kwargs: dict[str, Any]) -> RequestOptions:
    """Take the router's own options out of a call's kwargs (``kwargs`` is consumed)."""
    if _SPECIAL.isdisjoint(kwargs):
        return RequestOptions({k: v for k, v in kwargs.items() if v is not None}, *_NONE_OF_THEM)
    refused = sorted(k for k in _REFUSED if kwargs.get(k) is not None)
    if refused:
        raise BadRequestError(
            f"{', '.join(refused)} cannot be set per call on a Router: deployments carry them",
            param=refused[0],
        )
    metadata = kwargs.pop("metadata", None)
    tags = _tags(metadata, kwargs.pop("tags", None))
    fallbacks = kwargs.pop("fallbacks", None)
    if fallbacks is not None and (
        isinstance(fallbacks, str)
        or not isinstance(fallbacks, Sequence)
        or not all(isinstance(f, str) for f in fallbacks)
    ):
        raise BadRequestError("fallbacks must be a list of model names", param="fallbacks")
    retries = kwargs.pop("num_retries", None)
    alias = kwargs.pop("max_retries", None)
    retries = retries if retries is not None else alias
    timeout = kwargs.pop("timeout", None)
    if timeout is None:
        timeout = kwargs.pop("request_timeout", None)
    else:
        kwargs.pop("request_timeout", None)
    headers = kwargs.pop("extra_headers", None)
    return RequestOptions(
        params={k: v for k, v in kwargs.items() if v is not None},
        tags=tags,
        fallbacks=tuple(fallbacks) if fallbacks is not None else None,
        num_retries=int(retries) if retries is not None else None,
        timeout=float(timeout) if timeout is not None else None,
        extra_headers=headers,
    )


def call_kwargs(
    deployment: Deployment,
    request: RequestOptions,
    *,
    stream: bool,
    router_timeout: float | None,
    router_stream_timeout: float | None,
) -> dict[str, Any]:
    """The client kwargs for one attempt: the deployment's defaults, the caller's
    parameters over them, the deployment's credentials and options over everything."""
    options = deployment.plain_options
    kwargs = {**deployment.plain_defaults, **request.params, **options}
    if request.extra_headers:
        own = options.get("extra_headers")
        kwargs["extra_headers"] = {**request.extra_headers, **own} if own else request.extra_headers
    timeout = request.timeout
    if timeout is None and stream:
        timeout = deployment.stream_timeout or router_stream_timeout
    if timeout is None:
        timeout = deployment.timeout if deployment.timeout is not None else router_timeout
    if timeout is not None:
        kwargs["timeout"] = timeout
    return kwargs
