"""The gateway's own OpenAPI 3.0 document, served at ``GET /openapi.json``.

It describes every public route (every path also answers without the ``/v1`` prefix) with the
request fields the gateway checks itself and the error bodies it promises: OpenAI's
``{"error": {"message", "type", "param", "code"}}`` everywhere, Anthropic's
``{"type": "error", "error": {"type", "message"}}`` on ``/v1/messages``. It names no model,
host or key: the configuration stays private (the route is public). The security test suite
fuzzes the running app against this document.
"""

from __future__ import annotations

from typing import Any

import orjson

from lockgate._version import __version__
from lockgate.gateway.exchange import Exchange
from lockgate.gateway.http_response import send_bytes

__all__ = ["openapi_document", "openapi_route"]

Schema = dict[str, Any]

_STRING: Schema = {"type": "string"}
_NUMBER: Schema = {"type": "number"}
_BOOL: Schema = {"type": "boolean"}
_OBJECT: Schema = {"type": "object"}
_POSITIVE_INT: Schema = {"type": "integer", "minimum": 1}
_MODEL: Schema = {
    "type": "string",
    "minLength": 1,
    "maxLength": 256,
    "pattern": "^[\\x20-\\x7e]+$",  # the gateway refuses non-printable model names
    "example": "gpt-4o-mini",
}
_CALLER: list[Schema] = [{"bearer": []}, {"x_api_key": []}]
_ADMIN: list[Schema] = [{"bearer": []}]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(required: list[str], properties: Schema) -> Schema:
    return {"type": "object", "required": required, "properties": properties}


def _schemas() -> Schema:
    message = _obj(
        ["role"],
        {
            "role": {
                "type": "string",
                "enum": ["system", "developer", "user", "assistant", "tool"],
            },
            "content": {"oneOf": [_STRING, {"type": "array", "items": _OBJECT}], "nullable": True},
            "name": _STRING,
            "tool_call_id": _STRING,
        },
    )
    sampling = {
        "temperature": {"type": "number", "minimum": 0, "maximum": 2},
        "top_p": {"type": "number", "minimum": 0, "maximum": 1},
        "max_tokens": _POSITIVE_INT,
        "n": {"type": "integer", "minimum": 1, "maximum": 4},
        "stop": {"oneOf": [_STRING, {"type": "array", "items": _STRING, "maxItems": 4}]},
        "seed": {"type": "integer"},
        "user": _STRING,
    }
    anthropic_block = _obj(["type"], {"type": _STRING, "text": _STRING})
    anthropic_message = _obj(
        ["role", "content"],
        {
            "role": {"type": "string", "enum": ["user", "assistant"]},
            "content": {"oneOf": [_STRING, {"type": "array", "items": anthropic_block}]},
        },
    )
    anthropic_fields: Schema = {
        "model": _MODEL,
        "messages": {"type": "array", "minItems": 1, "items": _ref("AnthropicMessage")},
        "system": {"oneOf": [_STRING, {"type": "array", "items": anthropic_block}]},
        "temperature": {"type": "number", "minimum": 0, "maximum": 1},
        "top_p": {"type": "number", "minimum": 0, "maximum": 1},
        "top_k": _POSITIVE_INT,
        "stop_sequences": {"type": "array", "items": _STRING},
        "metadata": _obj([], {"user_id": _STRING}),
    }
    return {
        "OpenAIError": _obj(
            ["error"],
            {
                "error": _obj(
                    ["message", "type", "param", "code"],
                    {
                        "message": _STRING,
                        "type": _STRING,
                        "param": {"type": "string", "nullable": True},
                        "code": {"type": "string", "nullable": True},
                    },
                )
            },
        ),
        "AnthropicError": _obj(
            ["type", "error"],
            {
                "type": {"type": "string", "enum": ["error"]},
                "error": _obj(["type", "message"], {"type": _STRING, "message": _STRING}),
            },
        ),
        "ChatMessage": message,
        "ChatCompletionRequest": _obj(
            ["model", "messages"],
            {
                "model": _MODEL,
                "messages": {"type": "array", "minItems": 1, "items": _ref("ChatMessage")},
                "stream": _BOOL,
                **sampling,
            },
        ),
        "CompletionRequest": _obj(
            ["model", "prompt"],
            {
                "model": _MODEL,
                "prompt": {"oneOf": [_STRING, {"type": "array", "minItems": 1, "items": _STRING}]},
                **sampling,
            },
        ),
        "EmbeddingRequest": _obj(
            ["model", "input"],
            {
                "model": _MODEL,
                "input": {
                    "oneOf": [
                        _STRING,
                        {"type": "array", "minItems": 1, "items": _STRING},
                        {"type": "array", "minItems": 1, "items": {"type": "integer"}},
                    ]
                },
                "dimensions": {"type": "integer", "minimum": 1, "maximum": 16384},
                "encoding_format": {"type": "string", "enum": ["float", "base64"]},
            },
        ),
        "AnthropicMessage": anthropic_message,
        "MessagesRequest": _obj(
            ["model", "messages", "max_tokens"],
            {**anthropic_fields, "max_tokens": _POSITIVE_INT, "stream": _BOOL},
        ),
        "CountTokensRequest": _obj(["model", "messages"], anthropic_fields),
        "PassthroughRequest": _obj(["model"], {"model": _MODEL}),
        "Model": _obj(["id", "object"], {"id": _STRING, "object": _STRING, "owned_by": _STRING}),
        "ModelList": _obj(
            ["object", "data"],
            {"object": _STRING, "data": {"type": "array", "items": _ref("Model")}},
        ),
    }


def _responses(ok: Schema, error: str = "OpenAIError", ok_type: str = "application/json") -> Schema:
    return {
        "200": {"description": "success", "content": {ok_type: {"schema": ok}}},
        "default": {
            "description": "an error in the contract's shape",
            "content": {"application/json": {"schema": _ref(error)}},
        },
    }


def _post(summary: str, body: str, security: list[Schema], error: str = "OpenAIError") -> Schema:
    return {
        "post": {
            "summary": summary,
            "security": security,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref(body)}},
            },
            "responses": _responses(_OBJECT, error),
        }
    }


def _get(
    summary: str, ok: Schema, security: list[Schema], ok_type: str = "application/json"
) -> Schema:
    return {
        "get": {
            "summary": summary,
            "security": security,
            "responses": _responses(ok, ok_type=ok_type),
        }
    }


def _paths() -> Schema:
    passthrough = {
        "/v1/responses": "OpenAI Responses API (providers that serve it natively)",
        "/v1/images/generations": "image generation",
        "/v1/audio/speech": "text to speech",
        "/v1/moderations": "moderation",
        "/v1/rerank": "rerank",
    }
    paths: Schema = {
        "/v1/chat/completions": _post(
            "chat completion (stream: SSE)", "ChatCompletionRequest", _CALLER
        ),
        "/v1/completions": _post("text completion", "CompletionRequest", _CALLER),
        "/v1/embeddings": _post("embeddings", "EmbeddingRequest", _CALLER),
        "/v1/messages": _post("Anthropic Messages", "MessagesRequest", _CALLER, "AnthropicError"),
        "/v1/messages/count_tokens": _post(
            "Anthropic token count", "CountTokensRequest", _CALLER, "AnthropicError"
        ),
        "/v1/models": _get("the model groups served", _ref("ModelList"), _CALLER),
        "/v1/models/{model}": {
            "get": {
                "summary": "one model group",
                "security": _CALLER,
                "parameters": [
                    {"name": "model", "in": "path", "required": True, "schema": _STRING}
                ],
                "responses": _responses(_ref("Model")),
            }
        },
        "/health/liveliness": _get("liveness probe", _OBJECT, []),
        "/health/readiness": _get("readiness probe", _OBJECT, []),
        "/health": _get("upstream health checks (admin)", _OBJECT, _ADMIN),
        "/metrics": _get("Prometheus metrics (admin)", _STRING, _ADMIN, "text/plain"),
        "/openapi.json": _get("this document", _OBJECT, []),
    }
    for path, summary in passthrough.items():
        paths[path] = _post(summary, "PassthroughRequest", _CALLER)
    paths["/v1/audio/transcriptions"] = {
        "post": {
            "summary": "speech to text",
            "security": _CALLER,
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": _obj(
                            ["model", "file"],
                            {"model": _MODEL, "file": {"type": "string", "format": "binary"}},
                        )
                    }
                },
            },
            "responses": _responses(_OBJECT),
        }
    }
    return paths


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "lockgate gateway",
            "version": __version__,
            "description": "OpenAI- and Anthropic-compatible gateway. Every /v1 path also "
            "answers without the prefix. A body, header or query parameter naming an "
            "upstream destination or credential (api_base, base_url, api_key, ...) is a 400.",
        },
        "paths": _paths(),
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "x_api_key": {"type": "apiKey", "in": "header", "name": "x-api-key"},
            },
        },
    }


async def openapi_route(exchange: Exchange) -> None:
    await send_bytes(exchange.send, 200, orjson.dumps(openapi_document()))
