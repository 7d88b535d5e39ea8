"""/v1/messages/count_tokens: validated like a Messages request, counted by the estimator."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import httpx2
import pytest
from ingress_harness import sdk_client

from lockgate.errors import BadRequestError
from lockgate.gateway.anthropic_ingress import anthropic_error_body, count_tokens_response
from lockgate.pricing import estimate_prompt_tokens

USER: Any = [{"role": "user", "content": "What is the weather in Paris today?"}]
TOOL: Any = {
    "name": "get_weather",
    "description": "Current weather for a city",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
}


def test_count_matches_the_estimate_of_the_translated_prompt() -> None:
    plain = count_tokens_response({"model": "m", "messages": USER})
    assert plain == {"input_tokens": estimate_prompt_tokens(USER)}
    with_system = count_tokens_response({"model": "m", "messages": USER, "system": "Be brief."})
    with_tools = count_tokens_response({"model": "m", "messages": USER, "tools": [TOOL]})
    assert with_system["input_tokens"] > plain["input_tokens"]
    assert with_tools["input_tokens"] > plain["input_tokens"]


def test_invalid_bodies_are_refused() -> None:
    with pytest.raises(BadRequestError, match=r"^messages: field required$"):
        count_tokens_response({"model": "m"})
    with pytest.raises(BadRequestError, match=r"^max_tokens: expected an integer"):
        count_tokens_response({"model": "m", "messages": USER, "max_tokens": "1"})


def test_the_sdk_reads_the_count() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        assert request.url.path == "/v1/messages/count_tokens"
        try:
            return httpx2.Response(200, json=count_tokens_response(json.loads(request.content)))
        except BadRequestError as error:
            status, body = anthropic_error_body(error)
            return httpx2.Response(status, json=body)

    with sdk_client(handler) as client:
        counted = client.messages.count_tokens(
            model="claude-via-lockgate", messages=USER, tools=[TOOL]
        )
        assert (
            counted.input_tokens
            == count_tokens_response({"model": "m", "messages": USER, "tools": [TOOL]})[
                "input_tokens"
            ]
        )
        with pytest.raises(anthropic.BadRequestError, match="messages.0.role"):
            bad: Any = [{"role": "system", "content": "x"}]
            client.messages.count_tokens(model="m", messages=bad)
