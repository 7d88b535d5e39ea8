"""Bedrock ``/model/{id}/invoke`` for the models lockgate calls that way: Titan and Cohere
embeddings, and Cohere Rerank. Any other model gets Bedrock's ValidationException."""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from lockgate.mock.bedrock_dialect import BEDROCK, bedrock_headers
from lockgate.mock.embedding_vectors import embedding_floats, embedding_vector
from lockgate.mock.exchange import Exchange
from lockgate.mock.failures import json_response
from lockgate.mock.reply import count_prompt_tokens
from lockgate.mock.rerank_scores import rerank_results

__all__ = ["invoke"]


def _titan(exchange: Exchange) -> web.StreamResponse:
    text = exchange.body.get("inputText")
    if not isinstance(text, str) or not text:
        return BEDROCK.invalid_request(
            "Malformed input request: #: required key [inputText] not found"
        )
    dimensions = exchange.body.get("dimensions") or (1536 if "v1" in exchange.model else 1024)
    vector = embedding_floats(embedding_vector(text, dimensions))
    body: dict[str, Any] = {
        "embedding": vector,
        "inputTextTokenCount": count_prompt_tokens(len(text)),
    }
    if "v2" in exchange.model:
        body["embeddingsByType"] = {"float": vector}
    return json_response(orjson.dumps(body), 200, bedrock_headers())


def _cohere_embed(exchange: Exchange) -> web.StreamResponse:
    texts = exchange.body.get("texts")
    if not isinstance(texts, list) or not texts or not exchange.body.get("input_type"):
        return BEDROCK.invalid_request("Malformed input request: texts and input_type are required")
    dimensions = exchange.body.get("output_dimension") or 1024
    vectors = [embedding_floats(embedding_vector(str(t), dimensions)) for t in texts]
    types = exchange.body.get("embedding_types")
    embeddings: Any = {"float": vectors} if types else vectors
    body = {
        "embeddings": embeddings,
        "id": "mock-" + exchange.model,
        "response_type": "embeddings_by_type" if types else "embeddings_floats",
        "texts": texts,
    }
    headers = bedrock_headers()
    tokens = sum(count_prompt_tokens(len(str(t))) for t in texts)
    headers["x-amzn-bedrock-input-token-count"] = str(tokens)
    return json_response(orjson.dumps(body), 200, headers)


def _cohere_rerank(exchange: Exchange) -> web.StreamResponse:
    body = exchange.body
    query, documents = body.get("query"), body.get("documents")
    if (
        body.get("api_version") != 2
        or not isinstance(query, str)
        or not isinstance(documents, list)
    ):
        return BEDROCK.invalid_request(
            "Malformed input request: api_version 2, query and documents are required"
        )
    top_n = body.get("top_n")
    results = rerank_results(
        query, [str(d) for d in documents], top_n if isinstance(top_n, int) else None
    )
    return json_response(
        orjson.dumps({"id": "mock-rerank", "results": results}), 200, bedrock_headers()
    )


async def invoke(exchange: Exchange) -> web.StreamResponse:
    model = exchange.model
    if "titan-embed" in model:
        return _titan(exchange)
    if "cohere.embed" in model:
        return _cohere_embed(exchange)
    if "cohere.rerank" in model:
        return _cohere_rerank(exchange)
    return BEDROCK.invalid_request(f"The lockgate mock does not serve InvokeModel for {model}.")
