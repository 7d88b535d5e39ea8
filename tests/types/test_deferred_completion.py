"""A response kept as the provider's bytes: usage now, the other fields on first read."""

from __future__ import annotations

import copy
import dataclasses

import orjson
import pytest

from lockgate.types import ChatCompletion, Usage

BODY = (
    b'{"id":"chatcmpl-1","object":"chat.completion","created":7,"model":"gpt-4o-mini",'
    b'"choices":[{"index":0,"message":{"role":"assistant","content":"Hi!","annotations":[]},'
    b'"finish_reason":"stop","logprobs":null}],"service_tier":"default",'
    b'"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29}}'
)


def deferred() -> ChatCompletion:
    return ChatCompletion.deferred(orjson.loads(BODY), BODY)


def test_usage_and_bytes_without_building_the_rest() -> None:
    response = deferred()
    assert response.usage == Usage(prompt_tokens=19, completion_tokens=10, total_tokens=29)
    assert response.wire_bytes() is BODY
    assert response._hidden_params == {}
    assert response._pending is not None  # nothing else read yet


def test_fields_read_later_equal_an_eager_parse() -> None:
    response = deferred()
    assert response.choices[0].message.content == "Hi!"
    assert response._pending is None
    eager = ChatCompletion.from_dict(orjson.loads(BODY))
    assert response == eager
    assert response.model_dump() == eager.model_dump()
    assert response.choices[0].message["annotations"] == []
    assert response["service_tier"] == "default" and response.extra == {}


def test_usage_read_first_is_the_object_kept() -> None:
    response = deferred()
    usage = response.usage
    assert response.id == "chatcmpl-1"
    assert response.usage is usage


def test_a_write_before_the_first_read_wins() -> None:
    response = deferred()
    response.model = "renamed"
    response.usage = None
    assert response.id == "chatcmpl-1"
    assert response.model == "renamed" and response.usage is None


def test_unknown_attribute_is_still_an_attribute_error() -> None:
    response = deferred()
    with pytest.raises(AttributeError):
        _ = response.nope  # type: ignore[attr-defined]
    assert not hasattr(deferred(), "nope")


def test_repr_copy_and_replace_see_every_field() -> None:
    assert "chatcmpl-1" in repr(deferred())
    assert copy.deepcopy(deferred()) == ChatCompletion.from_dict(orjson.loads(BODY))
    assert copy.copy(deferred()).created == 7
    replaced = dataclasses.replace(deferred(), id="other")
    assert replaced.id == "other" and replaced.model == "gpt-4o-mini"


def test_a_usage_that_is_not_an_object_is_kept_as_sent() -> None:
    data = orjson.loads(BODY)
    data["usage"] = None
    assert ChatCompletion.deferred(data, BODY).usage is None
