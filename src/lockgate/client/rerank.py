"""``lockgate.rerank`` / ``arerank``, and the translated ``/rerank`` route of the gateway.

The request is LiteLLM's (Cohere's shape): ``model``, ``query``, ``documents``, ``top_n``,
``return_documents``, plus provider-specific parameters. Providers whose adapter has the
rerank capability (:class:`~lockgate.providers.rerank.RerankAdapter`: Cohere, Bedrock) get
it translated; OpenAI-protocol providers that list ``/rerank`` among their forwarded routes
(Together AI, any OpenAI-compatible server) get the body forwarded as it is. Either way the
answer is a :class:`~lockgate.types.rerank.RerankResponse`.

:func:`translated_rerank` is how :meth:`Client.apassthrough` serves ``/rerank`` for a
provider with the capability, so the gateway's ``/v1/rerank`` reaches Cohere's
``/v2/rerank`` or Bedrock's InvokeModel with the same translation.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from lockgate.client.params import split_options
from lockgate.client.retry import call_with_retries
from lockgate.errors import APIConnectionError, BadRequestError
from lockgate.providers.rerank import RerankAdapter, RerankCall
from lockgate.transport.messages import Timeouts, UpstreamResponse
from lockgate.types.rerank import RerankResponse

if TYPE_CHECKING:
    from lockgate.client.client import Client

__all__ = ["arerank", "rerank", "translated_rerank"]

_REQUEST_FIELDS = frozenset({"model", "query", "documents", "top_n", "return_documents"})


def _documents(raw: Any) -> list[str | Mapping[str, Any]]:
    if not isinstance(raw, list) or not raw:
        raise BadRequestError("documents must be a non-empty list", param="documents")
    if not all(isinstance(d, str | Mapping) for d in raw):
        raise BadRequestError("each document must be a string or an object", param="documents")
    return list(raw)


def _top_n(raw: Any) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        raise BadRequestError("top_n must be a positive integer", param="top_n")
    return raw


async def _translated(
    client: Client,
    model: str,
    query: Any,
    documents: Any,
    top_n: Any,
    return_documents: Any,
    params: dict[str, Any],
    options: dict[str, Any],
) -> tuple[RerankResponse, float]:
    spec, upstream_model = client.registry.split_model(model)
    adapter = client.registry.adapter(spec)
    if not isinstance(adapter, RerankAdapter):
        raise BadRequestError(f"provider {spec.name!r} does not serve rerank", param="model")
    if not isinstance(query, str) or not query:
        raise BadRequestError("query must be a non-empty string", param="query")
    # Client internals, shared within the client package: credentials, egress and sending
    # work exactly as for a completion.
    credentials = client._credentials(spec, options)
    call = RerankCall(
        spec,
        upstream_model,
        query,
        _documents(documents),
        _top_n(top_n),
        bool(return_documents),
        params,
        credentials,
    )
    request = client._destinations.allow_configured(adapter.build_rerank_request(call), credentials)
    timeouts = Timeouts.from_total(options.get("timeout", client.settings.timeout))

    async def once() -> tuple[RerankResponse, float]:
        started = time.perf_counter()
        response = await client._send(
            request, timeouts, client.registry.adapter(spec), spec, upstream_model
        )
        result = adapter.parse_rerank_response(call, response)
        result._hidden_params["custom_llm_provider"] = spec.name
        return result, response.elapsed or time.perf_counter() - started

    return await call_with_retries(once, client._retry_policy(options))


async def translated_rerank(
    client: Client, model: str, body: bytes, **kwargs: Any
) -> UpstreamResponse:
    """A Cohere-shaped ``/rerank`` body served through the provider's rerank translation;
    the answer is a JSON ``UpstreamResponse``, as a forwarded route's would be."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise BadRequestError("request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadRequestError("request body must be a JSON object")
    params, options = split_options(kwargs)
    extra = {k: v for k, v in data.items() if k not in _REQUEST_FIELDS}
    result, elapsed = await _translated(
        client,
        model,
        data.get("query"),
        data.get("documents"),
        data.get("top_n"),
        data.get("return_documents"),
        {**extra, **params},
        options,
    )
    return UpstreamResponse(
        200, {"content-type": "application/json"}, result.to_json_bytes(), elapsed
    )


async def arerank(
    model: str,
    query: str,
    documents: Sequence[str | Mapping[str, Any]],
    *,
    top_n: int | None = None,
    return_documents: bool | None = None,
    client: Client | None = None,
    **kwargs: Any,
) -> RerankResponse:
    """Rank ``documents`` by relevance to ``query`` (LiteLLM's ``arerank``)."""
    if client is None:
        from lockgate.sdk import default_client

        client = default_client()
    params, options = split_options(kwargs)
    spec, _ = client.registry.split_model(model)
    if isinstance(client.registry.adapter(spec), RerankAdapter):
        result, _ = await _translated(
            client, model, query, list(documents), top_n, return_documents, params, options
        )
        return result
    body: dict[str, Any] = {"query": query, "documents": list(documents), **params}
    if top_n is not None:
        body["top_n"] = top_n
    if return_documents is not None:
        body["return_documents"] = return_documents
    response = await client.apassthrough(model, "/rerank", orjson.dumps(body), **options)
    if not isinstance(response, UpstreamResponse):
        raise APIConnectionError("rerank answered with a stream")
    try:
        return RerankResponse.model_validate_json(response.body)
    except (orjson.JSONDecodeError, ValueError) as exc:
        raise APIConnectionError("rerank answer is not a JSON object") from exc


def rerank(
    model: str,
    query: str,
    documents: Sequence[str | Mapping[str, Any]],
    *,
    top_n: int | None = None,
    return_documents: bool | None = None,
    **kwargs: Any,
) -> RerankResponse:
    """Synchronous :func:`arerank` on the SDK's background loop."""
    from lockgate.sdk import _background_loop

    return _background_loop().run(
        lambda: arerank(
            model, query, documents, top_n=top_n, return_documents=return_documents, **kwargs
        )
    )
