"""Destination overrides and body shape checks, as pure functions (no server)."""

from __future__ import annotations

from typing import Any

import pytest

from lockgate.errors import BadRequestError
from lockgate.gateway.destination_guard import reject_destination_overrides
from lockgate.gateway.validation import validate_chat_body

LONG = "x" * 200  # longer than the names whose answers are memoised


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"API-Base": "x"}, "API-Base"),
        ({"temperature": 1, " aws_secret_access_key ": "x"}, " aws_secret_access_key "),
        ({"vertex_anything": 1}, "vertex_anything"),
        ({"extra_body": {"base_url": "x"}}, "extra_body.base_url"),
        ({"litellm_params": {"api_key": "x"}}, "litellm_params.api_key"),
        ({LONG + "ok": 1, "aws_" + LONG: 1}, "aws_" + LONG),
    ],
)
def test_body_overrides_are_refused_twice_alike(body: dict[str, Any], param: str) -> None:
    for _ in range(2):  # the second time from the memo
        with pytest.raises(BadRequestError) as raised:
            reject_destination_overrides(body, (), ())
        assert raised.value.param == param


@pytest.mark.parametrize(
    ("header", "refused"),
    [
        ("x-api-key", False),
        ("api-key", False),
        ("authorization", False),
        ("x-stainless-lang", False),
        ("OpenAI-Organization", False),
        ("x-litellm-api-base", True),
        ("X-Lockgate-Base-Url", True),
        ("x-aws-region-name", True),
        ("vertex-credentials", True),
        ("x-endpoint", False),
        ("x-" + LONG, False),
        ("aws-" + LONG, True),
    ],
)
def test_headers(header: str, refused: bool) -> None:
    for _ in range(2):
        if refused:
            with pytest.raises(BadRequestError) as raised:
                reject_destination_overrides(None, ("host", header), ())
            assert raised.value.param == header
        else:
            reject_destination_overrides(None, ("host", header), ())


def test_query_names() -> None:
    reject_destination_overrides(None, (), ("model", "stream"))
    with pytest.raises(BadRequestError, match="query parameter 'api_key'"):
        reject_destination_overrides(None, (), ("api_key",))


def chat(**extra: Any) -> dict[str, Any]:
    return {"model": "m", "messages": [{"role": "user", "content": "hi"}], **extra}


def test_a_plain_body_passes() -> None:
    validate_chat_body(chat())
    validate_chat_body(chat(temperature=0, max_tokens=5, stop=["a"], tools=[], metadata={}))
    validate_chat_body(chat(temperature=None, n=None, stream=None))
    validate_chat_body(chat(top_logprobs=0))  # a count that may be 0


@pytest.mark.parametrize(
    ("extra", "param", "problem"),
    [
        ({"temperature": "hot"}, "temperature", "must be a number"),
        ({"top_p": True}, "top_p", "must be a number"),
        ({"seed": 1.5}, "seed", "must be an integer"),
        ({"max_tokens": 0}, "max_tokens", "must be at least 1"),
        ({"stream": "yes"}, "stream", "must be true or false"),
        ({"stop": ["a", 1]}, "stop", "must be a string or a list of strings"),
        ({"functions": {}}, "functions", "must be a list"),
        ({"logit_bias": []}, "logit_bias", "must be an object"),
        # Several problems: the first in the order of the checks is reported.
        ({"metadata": 1, "stream": 1, "n": 0, "temperature": "x"}, "temperature", None),
        ({"metadata": 1, "stream": 1, "n": 0}, "n", None),
        ({"metadata": 1, "stream": 1}, "stream", None),
    ],
)
def test_scalar_problems(extra: dict[str, Any], param: str, problem: str | None) -> None:
    with pytest.raises(BadRequestError) as raised:
        validate_chat_body(chat(**extra))
    assert raised.value.param == param
    if problem is not None:
        assert problem in str(raised.value)


@pytest.mark.parametrize(
    ("messages", "param"),
    [
        ([{"role": "user", "content": "a"}, "text"], "messages[1]"),
        ([{"role": "user"}, {"role": "robot", "content": "a"}], "messages[1].role"),
        ([{"role": "user", "content": 5}, {"role": "robot"}], "messages[0].content"),
        ([{"role": "tool", "content": [{"type": "text"}]}, {"content": "a"}], "messages[1].role"),
    ],
)
def test_the_first_bad_message_is_named(messages: list[Any], param: str) -> None:
    with pytest.raises(BadRequestError) as raised:
        validate_chat_body({"model": "m", "messages": messages})
    assert raised.value.param == param
