"""Routine calls (no per-call timeout, headers or client options) go through each
deployment's fixed client options: the upstream sees exactly what the generic path sends,
and whatever may change between calls (the environment) is still read on every call."""

from __future__ import annotations

import pytest

from lockgate.client import Client
from lockgate.client.chat_plan import FixedOptions
from lockgate.errors import BadRequestError
from lockgate.mock import MockServer
from lockgate.router import Router
from lockgate.router.call_options import split_request
from tests.router.conftest import MESSAGES, Deploy, MakeRouter


async def test_a_routine_call_sends_what_the_generic_path_sends(
    deploy: Deploy, make_router: MakeRouter, mock: MockServer
) -> None:
    router = make_router(
        [deploy("g", "mock-a", temperature=0.1, max_tokens=5, extra_headers={"x-team": "blue"})]
    )
    await router.acompletion("g", MESSAGES, temperature=0.9, user="u1")  # routine
    await router.acompletion("g", MESSAGES, temperature=0.9, user="u1")  # its kept plan
    await router.acompletion("g", MESSAGES, temperature=0.9, user="u1", timeout=30)  # generic
    routine, again, generic = mock.requests[-3:]
    assert routine["body"] == again["body"] == generic["body"]
    assert routine["body"]["temperature"] == 0.9 and routine["body"]["max_tokens"] == 5
    for name in ("authorization", "x-team", "content-type"):
        assert routine["headers"][name] == generic["headers"][name]


async def test_a_key_from_the_environment_is_still_read_on_every_call(
    mock: MockServer,
) -> None:
    env = {"OPENAI_API_KEY": "sk-one"}
    client = Client(env=env)
    entry = {
        "model_name": "g",
        "litellm_params": {"model": "openai/mock-a", "api_base": mock.openai_base_url},
    }
    try:
        async with Router(model_list=[entry], client=client) as router:
            await router.acompletion("g", MESSAGES)
            assert mock.requests[-1]["headers"]["authorization"] == "Bearer sk-one"
            env["OPENAI_API_KEY"] = "sk-two"  # exported later: seen by the next call
            await router.acompletion("g", MESSAGES)
            assert mock.requests[-1]["headers"]["authorization"] == "Bearer sk-two"
    finally:
        await client.aclose()


async def test_fixed_options_with_a_mock_response_answer_every_call(
    client: Client, mock: MockServer
) -> None:
    fixed = FixedOptions({"mock_response": "canned", "api_base": mock.openai_base_url})
    sent = len(mock.requests)
    for _ in range(2):  # the second call uses the plan kept from the first
        response = await client.acompletion_fixed(
            "openai/mock-a", MESSAGES, stream=False, params={}, options=fixed
        )
        assert response.choices[0].message.content == "canned"  # type: ignore[union-attr]
    assert len(mock.requests) == sent  # nothing went upstream


async def test_fixed_options_refuse_empty_messages_on_every_call(
    client: Client, mock: MockServer
) -> None:
    fixed = FixedOptions({"api_key": "sk-test", "api_base": mock.openai_base_url})
    await client.acompletion_fixed(
        "openai/mock-a", MESSAGES, stream=False, params={}, options=fixed
    )
    with pytest.raises(BadRequestError, match="messages must not be empty"):
        await client.acompletion_fixed("openai/mock-a", [], stream=False, params={}, options=fixed)


def test_only_calls_without_options_of_their_own_are_routine() -> None:
    assert split_request({"temperature": 0.2, "user": "u"}).routine
    assert split_request({"temperature": None}).routine
    for own in (
        {"timeout": 5},
        {"extra_headers": {"x-a": "1"}},
        {"drop_params": True},
        {"mock_response": "hi"},
    ):
        assert not split_request(dict(own)).routine


def test_fixed_options_hold_client_options_only() -> None:
    fixed = FixedOptions({"api_key": "k", "timeout": None, "num_retries": 0})
    assert fixed.options == {"api_key": "k", "num_retries": 0}  # None: not given
    with pytest.raises(ValueError, match="temperature"):
        FixedOptions({"api_key": "k", "temperature": 0.2})
