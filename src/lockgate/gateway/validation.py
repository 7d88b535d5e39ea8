"""Shape checks of OpenAI request bodies: wrong types and missing fields become a 400 that
names the field, before anything is sent upstream."""

from __future__ import annotations

from typing import Any

from lockgate.errors import BadRequestError

__all__ = [
    "validate_chat_body",
    "validate_embedding_body",
    "validate_text_completion_body",
]

_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
_NUMBER_PARAMS = ("temperature", "top_p", "presence_penalty", "frequency_penalty")
_INT_PARAMS = ("max_tokens", "max_completion_tokens", "n", "seed", "top_logprobs")
_BOOL_PARAMS = ("stream", "logprobs", "parallel_tool_calls", "store")
_MAX_MODEL_CHARS = 256
_MAX_DIMENSIONS = 16384  # the largest embedding models have 4096


def _fail(field: str, problem: str) -> BadRequestError:
    return BadRequestError(f"'{field}': {problem}", param=field)


def _require_model(body: dict[str, Any]) -> None:
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise _fail("model", "is required and must be a non-empty string")
    # A wildcard group sends the caller's model name upstream (body, URL path, echoed headers).
    if len(model) > _MAX_MODEL_CHARS or not model.isprintable():
        raise _fail("model", f"must be printable and at most {_MAX_MODEL_CHARS} characters")


def _check_scalars(body: dict[str, Any]) -> None:
    for name in _NUMBER_PARAMS:
        value = body.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise _fail(name, "must be a number")
    for name in _INT_PARAMS:
        value = body.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise _fail(name, "must be an integer")
        if name in ("max_tokens", "max_completion_tokens", "n") and value is not None and value < 1:
            raise _fail(name, "must be at least 1")
    for name in _BOOL_PARAMS:
        value = body.get(name)
        if value is not None and not isinstance(value, bool):
            raise _fail(name, "must be true or false")
    stop = body.get("stop")
    if stop is not None and not (
        isinstance(stop, str) or (isinstance(stop, list) and all(isinstance(s, str) for s in stop))
    ):
        raise _fail("stop", "must be a string or a list of strings")
    for name in ("tools", "functions"):
        value = body.get(name)
        if value is not None and not isinstance(value, list):
            raise _fail(name, "must be a list")
    for name in ("stream_options", "response_format", "metadata", "logit_bias"):
        value = body.get(name)
        if value is not None and not isinstance(value, dict):
            raise _fail(name, "must be an object")


def validate_chat_body(body: dict[str, Any]) -> None:
    _require_model(body)
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise _fail("messages", "is required and must be a non-empty list")
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            raise _fail(f"messages[{i}]", "must be an object")
        role = message.get("role")
        if role not in _ROLES:
            raise _fail(f"messages[{i}].role", f"must be one of {', '.join(sorted(_ROLES))}")
        content = message.get("content")
        if content is not None and not isinstance(content, str | list):
            raise _fail(f"messages[{i}].content", "must be a string, a list of parts, or null")
    _check_scalars(body)


def validate_embedding_body(body: dict[str, Any]) -> None:
    _require_model(body)
    dims = body.get("dimensions")
    if dims is not None and (isinstance(dims, bool) or not isinstance(dims, int) or dims < 1):
        raise _fail("dimensions", "must be a positive integer")
    if dims is not None and dims > _MAX_DIMENSIONS:  # bounded: the reply grows with it
        raise _fail("dimensions", f"must be at most {_MAX_DIMENSIONS}")
    value = body.get("input")
    if isinstance(value, str):
        return
    if not isinstance(value, list) or not value:
        raise _fail("input", "is required: a string or a non-empty list")
    if not (
        all(isinstance(v, str) for v in value)
        or all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        or all(isinstance(v, list) for v in value)
    ):
        raise _fail("input", "must be strings, or token ids, or lists of token ids")


def validate_text_completion_body(body: dict[str, Any]) -> None:
    _require_model(body)
    prompt = body.get("prompt")
    if not (isinstance(prompt, str) or (isinstance(prompt, list) and prompt)):
        raise _fail("prompt", "is required: a string or a non-empty list")
    _check_scalars(body)
