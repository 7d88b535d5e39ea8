"""Cohere ``/v2/rerank``: ``{model, query, documents: [text], top_n?, max_tokens_per_doc?}``
→ ``{id, results: [{index, relevance_score}], meta}``.

The v2 API takes documents as strings and no longer returns them: object documents are
rendered as text, and ``return_documents`` is answered here from the request.
"""

from __future__ import annotations

from typing import Any

import orjson

from lockgate.errors import APIConnectionError
from lockgate.providers.cohere.urls import cohere_headers, cohere_url
from lockgate.providers.rerank import RerankCall, document_text, with_documents
from lockgate.transport.messages import UpstreamRequest, UpstreamResponse
from lockgate.types.rerank import RerankResponse, RerankResult

__all__ = ["build_cohere_rerank_request", "parse_cohere_rerank_response"]

_PASS = ("max_tokens_per_doc", "priority")


def build_cohere_rerank_request(call: RerankCall) -> UpstreamRequest:
    body: dict[str, Any] = {
        "model": call.model,
        "query": call.query,
        "documents": [document_text(d) for d in call.documents],
    }
    if call.top_n is not None:
        body["top_n"] = call.top_n
    for name in _PASS:
        if name in call.params:
            body[name] = call.params[name]
    return UpstreamRequest(
        "POST",
        cohere_url(call.provider, call.credentials, "rerank"),
        cohere_headers(call.credentials),
        orjson.dumps(body),
    )


def parse_cohere_rerank_response(call: RerankCall, response: UpstreamResponse) -> RerankResponse:
    try:
        data = orjson.loads(response.body)
    except orjson.JSONDecodeError as exc:
        raise APIConnectionError("Cohere sent a response that is not JSON") from exc
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, list):
        raise APIConnectionError("Cohere rerank response has no results")
    parsed = [RerankResult.from_dict(r) for r in results if isinstance(r, dict)]
    meta = data.get("meta")
    return RerankResponse(
        id=str(data.get("id", "")),
        results=with_documents(call, parsed),
        meta=meta if isinstance(meta, dict) else None,
    )
