"""Embeddings: Gemini ``:batchEmbedContents`` and Vertex AI ``:predict``.

==================  =====================================  ===================================
OpenAI              Gemini (AI Studio)                     Vertex AI
==================  =====================================  ===================================
``input``           ``requests[].content.parts[].text``    ``instances[].content``
``dimensions``      ``requests[].outputDimensionality``    ``parameters.outputDimensionality``
``task_type``       ``requests[].taskType``                ``instances[].task_type``
``encoding_format`` ``base64`` packs the floats as little-endian float32, as OpenAI does
usage               estimated (the API reports none)       ``statistics.token_count``
==================  =====================================  ===================================

Token-id inputs (lists of integers) have no Gemini equivalent and are refused.
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Mapping
from typing import Any

from lockgate.errors import APIConnectionError, BadRequestError
from lockgate.pricing import estimate_tokens
from lockgate.providers.call import EmbeddingCall
from lockgate.providers.gemini.endpoints import model_path
from lockgate.providers.response_json import json_object
from lockgate.types import Embedding, EmbeddingResponse, Usage

__all__ = [
    "embedding_texts",
    "gemini_embedding_body",
    "parse_gemini_embeddings",
    "parse_vertex_embeddings",
    "vertex_embedding_body",
]


def embedding_texts(call: EmbeddingCall) -> list[str]:
    values = [call.input] if isinstance(call.input, str) else list(call.input)
    if not values or not all(isinstance(v, str) for v in values):
        raise BadRequestError(
            "Gemini embeddings take text input (a string or a list of strings)", param="input"
        )
    return [str(v) for v in values]


def _task_type(params: Mapping[str, Any]) -> Any:
    return params.get("task_type", params.get("taskType"))


def gemini_embedding_body(call: EmbeddingCall) -> dict[str, Any]:
    name = f"models/{model_path(call.model)}"
    options: dict[str, Any] = {}
    if call.params.get("dimensions") is not None:
        options["outputDimensionality"] = call.params["dimensions"]
    if _task_type(call.params) is not None:
        options["taskType"] = _task_type(call.params)
    requests = [
        {"model": name, "content": {"parts": [{"text": text}]}, **options}
        for text in embedding_texts(call)
    ]
    return {"requests": requests}


def vertex_embedding_body(call: EmbeddingCall) -> dict[str, Any]:
    task = _task_type(call.params)
    instances = [
        {"content": text, **({"task_type": task} if task is not None else {})}
        for text in embedding_texts(call)
    ]
    body: dict[str, Any] = {"instances": instances}
    if call.params.get("dimensions") is not None:
        body["parameters"] = {"outputDimensionality": call.params["dimensions"]}
    return body


def _encoded(values: list[float], encoding: Any) -> list[float] | str:
    if encoding != "base64":
        return values
    packed = struct.pack(f"<{len(values)}f", *values)  # little-endian on every machine
    return base64.b64encode(packed).decode()


def _values(item: Any) -> list[float]:
    values = item.get("values") if isinstance(item, Mapping) else None
    if not isinstance(values, list):
        raise APIConnectionError("upstream embedding response has no values")
    return [float(v) for v in values]


def _response(call: EmbeddingCall, vectors: list[list[float]], tokens: int) -> EmbeddingResponse:
    encoding = call.params.get("encoding_format")
    return EmbeddingResponse(
        data=[
            Embedding(index=i, embedding=_encoded(vector, encoding))
            for i, vector in enumerate(vectors)
        ],
        model=call.model,
        usage=Usage(prompt_tokens=tokens, total_tokens=tokens),
    )


def parse_gemini_embeddings(call: EmbeddingCall, body: bytes) -> EmbeddingResponse:
    data = json_object(body)
    items = data.get("embeddings")
    if not isinstance(items, list):
        raise APIConnectionError("upstream embedding response has no embeddings")
    tokens = sum(estimate_tokens(text) for text in embedding_texts(call))
    return _response(call, [_values(item) for item in items], tokens)


def parse_vertex_embeddings(call: EmbeddingCall, body: bytes) -> EmbeddingResponse:
    data = json_object(body)
    predictions = data.get("predictions")
    if not isinstance(predictions, list):
        raise APIConnectionError("upstream embedding response has no predictions")
    vectors: list[list[float]] = []
    tokens = 0
    for prediction in predictions:
        embeddings = prediction.get("embeddings") if isinstance(prediction, Mapping) else None
        vectors.append(_values(embeddings))
        statistics = embeddings.get("statistics") if isinstance(embeddings, Mapping) else None
        count = statistics.get("token_count") if isinstance(statistics, Mapping) else None
        tokens += int(count) if isinstance(count, int | float) else 0
    return _response(call, vectors, tokens)
