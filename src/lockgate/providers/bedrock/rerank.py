"""Bedrock rerank through InvokeModel with Cohere Rerank (``cohere.rerank-v3-5:0``).

Body ``{"query", "documents": [text], "top_n"?, "max_tokens_per_doc"?, "api_version": 2}``;
answer ``{"id"?, "results": [{"index", "relevance_score"}]}``. Amazon's own rerank model
is served by the Bedrock Agent Runtime ``/rerank`` API, a different service: not supported.
"""

from __future__ import annotations

from typing import Any

import orjson

from lockgate.errors import APIConnectionError, BadRequestError
from lockgate.providers.bedrock.errors import header
from lockgate.providers.bedrock.request import bedrock_model_id, bedrock_request, model_url
from lockgate.providers.rerank import RerankCall, document_text, with_documents
from lockgate.transport.messages import UpstreamRequest, UpstreamResponse
from lockgate.types.rerank import RerankResponse, RerankResult

__all__ = ["build_bedrock_rerank_request", "parse_bedrock_rerank_response"]


def build_bedrock_rerank_request(call: RerankCall) -> UpstreamRequest:
    model = bedrock_model_id(call.model)
    if "cohere.rerank" not in model:
        raise BadRequestError(
            f"Bedrock rerank is supported for Cohere Rerank models, not {model!r}",
            param="model",
        )
    body: dict[str, Any] = {
        "query": call.query,
        "documents": [document_text(d) for d in call.documents],
        "api_version": 2,
    }
    if call.top_n is not None:
        body["top_n"] = call.top_n
    if "max_tokens_per_doc" in call.params:
        body["max_tokens_per_doc"] = call.params["max_tokens_per_doc"]
    url = model_url(call.provider, call.credentials, model, "invoke")
    return bedrock_request(call.credentials, url, orjson.dumps(body), "application/json")


def parse_bedrock_rerank_response(call: RerankCall, response: UpstreamResponse) -> RerankResponse:
    try:
        data = orjson.loads(response.body)
    except orjson.JSONDecodeError as exc:
        raise APIConnectionError("Bedrock sent a response that is not JSON") from exc
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, list):
        raise APIConnectionError("Bedrock rerank response has no results")
    parsed = [RerankResult.from_dict(r) for r in results if isinstance(r, dict)]
    return RerankResponse(
        id=str(data.get("id") or header(response.headers, "x-amzn-requestid") or ""),
        results=with_documents(call, parsed),
        meta={"billed_units": {"search_units": 1}},
    )
