"""Shape checks of OpenAI request bodies: wrong types and missing fields become a 400 that
names the field, before anything is sent upstream."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lockgate.errors import BadRequestError

__all__ = [
    "validate_chat_body",
    "validate_embedding_body",
    "validate_text_completion_body",
]

_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
_CONTENT_TYPES = (str, list, type(None))  # a message's content: text, parts, or null
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


def _number_problem(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "must be a number"
    return None


def _integer_problem(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return "must be an integer"
    return None


def _count_problem(value: Any) -> str | None:
    return _integer_problem(value) or ("must be at least 1" if value < 1 else None)


def _bool_problem(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _stop_problem(value: Any) -> str | None:
    if isinstance(value, str) or (
        isinstance(value, list) and all(isinstance(s, str) for s in value)
    ):
        return None
    return "must be a string or a list of strings"


def _list_problem(value: Any) -> str | None:
    return None if isinstance(value, list) else "must be a list"


def _object_problem(value: Any) -> str | None:
    return None if isinstance(value, dict) else "must be an object"


# Each checked parameter and its check, in the order problems are reported.
_SCALAR_CHECKS: dict[str, Callable[[Any], str | None]] = {
    **dict.fromkeys(_NUMBER_PARAMS, _number_problem),
    **{
        name: _count_problem
        if name in ("max_tokens", "max_completion_tokens", "n")
        else _integer_problem
        for name in _INT_PARAMS
    },
    **dict.fromkeys(_BOOL_PARAMS, _bool_problem),
    "stop": _stop_problem,
    **dict.fromkeys(("tools", "functions"), _list_problem),
    **dict.fromkeys(
        ("stream_options", "response_format", "metadata", "logit_bias"), _object_problem
    ),
}
_SCALAR_RANK = {name: rank for rank, name in enumerate(_SCALAR_CHECKS)}


def _check_scalars(body: dict[str, Any]) -> None:
    present = _SCALAR_RANK.keys() & body.keys()  # most bodies set few of them, or none
    if not present:
        return
    for name in sorted(present, key=_SCALAR_RANK.__getitem__):
        value = body[name]
        if value is None:
            continue
        problem = _SCALAR_CHECKS[name](value)
        if problem is not None:
            raise _fail(name, problem)


def validate_chat_body(body: dict[str, Any]) -> None:
    _require_model(body)
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise _fail("messages", "is required and must be a non-empty list")
    for message in messages:  # one quick pass; the index is looked for only on a problem
        if (
            not isinstance(message, dict)
            or message.get("role") not in _ROLES
            or not isinstance(message.get("content"), _CONTENT_TYPES)
        ):
            raise _message_problem(messages)
    _check_scalars(body)


def _message_problem(messages: list[Any]) -> BadRequestError:
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            return _fail(f"messages[{i}]", "must be an object")
        role = message.get("role")
        if role not in _ROLES:
            return _fail(f"messages[{i}].role", f"must be one of {', '.join(sorted(_ROLES))}")
        content = message.get("content")
        if content is not None and not isinstance(content, str | list):
            return _fail(f"messages[{i}].content", "must be a string, a list of parts, or null")
    raise AssertionError("called for messages with a problem")


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
