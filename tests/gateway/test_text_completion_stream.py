"""POST /v1/completions with stream=true: OpenAI's legacy text_completion chunks from any
provider, driven by the openai SDK against the real gateway."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import openai
import orjson
import pytest

from lockgate.config import parse_config
from lockgate.mock import MockServer
from lockgate.router.state.base import Needs
from tests.gateway.harness import MASTER_KEY, RunningGateway, config_for_mock, running_gateway


def _mixed_config(mock_url: str) -> str:
    return (
        "model_list:\n"
        "  - model_name: gpt-4o-mini\n"
        "    litellm_params:\n"
        "      model: openai/gpt-4o-mini\n"
        f"      api_base: {mock_url}/v1\n"
        "      api_key: sk-upstream-secret-1234\n"
        "  - model_name: claude\n"
        "    litellm_params:\n"
        "      model: anthropic/claude-sonnet-4-5\n"
        f"      api_base: {mock_url}\n"
        "      api_key: upstream-secret-key-123\n"
    )


@pytest.fixture
async def gateway(mock: MockServer) -> object:
    config = parse_config(_mixed_config(mock.url), source="<text-stream>", env={})
    async with running_gateway(config) as running:
        yield running


async def _collect(
    gateway: RunningGateway, model: str, **extra: object
) -> list[openai.types.Completion]:
    client = openai.AsyncOpenAI(base_url=gateway.openai_base, api_key=MASTER_KEY, max_retries=0)
    try:
        stream = await client.completions.create(
            model=model,
            prompt="Say hello",
            stream=True,
            **extra,  # type: ignore[call-overload]
        )
        return [chunk async for chunk in stream]
    finally:
        await client.close()


@pytest.mark.parametrize(
    ("model", "upstream_path"),
    [("gpt-4o-mini", "/v1/chat/completions"), ("claude", "/v1/messages")],
)
async def test_stream_yields_text_completion_chunks(
    gateway: RunningGateway, mock: MockServer, model: str, upstream_path: str
) -> None:
    mock.script([{"content": "Hello there, friend"}])
    chunks = await _collect(gateway, model)
    assert chunks and all(c.object == "text_completion" for c in chunks)
    text = "".join(choice.text for c in chunks for choice in c.choices)
    assert text == "Hello there, friend"
    finishes = [ch.finish_reason for c in chunks for ch in c.choices if ch.finish_reason]
    assert finishes == ["stop"]
    assert all(c.usage is None for c in chunks)  # not asked for
    sent = mock.requests[-1]
    assert sent["path"] == upstream_path
    assert orjson.dumps(sent["body"]).count(b"Say hello") == 1


@pytest.mark.parametrize("model", ["gpt-4o-mini", "claude"])
async def test_stream_usage_chunk_when_asked(
    gateway: RunningGateway, mock: MockServer, model: str
) -> None:
    mock.script([{"content": "one two three", "usage": [7, 3]}])
    chunks = await _collect(gateway, model, stream_options={"include_usage": True})
    last = chunks[-1]
    assert last.choices == []
    assert last.usage is not None
    assert (last.usage.prompt_tokens, last.usage.completion_tokens) == (7, 3)
    # Spend and metrics see the same usage.
    assert '"prompt_tokens":7' in gateway.log.getvalue()


async def test_raw_sse_shape_ends_with_done(gateway: RunningGateway, mock: MockServer) -> None:
    mock.script([{"content": "Hi"}])
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            gateway.openai_base + "/completions",
            json={"model": "claude", "prompt": ["Hi"], "stream": True},
            headers={"Authorization": f"Bearer {MASTER_KEY}"},
        ) as response,
    ):
        assert response.status == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        raw = await response.read()
    events = [line[6:] for line in raw.split(b"\n\n") if line.startswith(b"data: ")]
    assert events[-1] == b"[DONE]"
    first = orjson.loads(events[0])
    assert set(first) >= {"id", "object", "created", "choices", "model"}
    assert first["choices"][0].keys() == {"text", "index", "logprobs", "finish_reason"}


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"prompt": ["a", "b"]}, "prompt"),
        ({"echo": True}, "echo"),
        ({"suffix": "tail"}, "suffix"),
        ({"best_of": 3}, "best_of"),
    ],
)
async def test_stream_refuses_what_a_chat_stream_cannot_honour(
    gateway: RunningGateway, mock: MockServer, extra: dict[str, object], param: str
) -> None:
    client = openai.AsyncOpenAI(base_url=gateway.openai_base, api_key=MASTER_KEY, max_retries=0)
    try:
        with pytest.raises(openai.BadRequestError) as caught:
            await client.completions.create(
                **{"model": "gpt-4o-mini", "prompt": "x", "stream": True, **extra}  # type: ignore[call-overload]
            )
    finally:
        await client.close()
    assert caught.value.status_code == 400
    assert param in str(caught.value)
    assert mock.requests == []


async def test_upstream_error_before_first_chunk_is_the_sdk_error(
    gateway: RunningGateway, mock: MockServer
) -> None:
    mock.script([{"status": 429, "retry_after_s": 0.01, "times": 5}])
    with pytest.raises(openai.RateLimitError):
        await _collect(gateway, "claude")


async def test_client_disconnect_cancels_the_upstream(mock: MockServer) -> None:
    # least-busy: the router counts requests in flight, which shows the upstream call end.
    config = config_for_mock(mock.url, "router_settings:\n  routing_strategy: least-busy\n")
    async with running_gateway(config) as gateway:
        router = gateway.app.state.dispatcher
        deployment_id = router.deployments[0].id  # type: ignore[attr-defined]
        started = time.monotonic()
        mock.script([{"tokens_per_second": 5, "reply_tokens": 200}])
        async with aiohttp.ClientSession() as session:
            response = await session.post(
                gateway.openai_base + "/completions",
                json={"model": "gpt-4o-mini", "prompt": "x", "stream": True},
                headers={"Authorization": f"Bearer {MASTER_KEY}"},
            )
            first = await response.content.readline()
            assert first.startswith(b"data: ")
            assert b'"text_completion"' in first
            in_flight = await router.state.read((deployment_id,), Needs(in_flight=True))  # type: ignore[attr-defined]
            assert in_flight.in_flight == [1]
            response.close()  # the client goes away mid-stream (a 40 s reply)
        for _ in range(100):
            snapshot = await router.state.read((deployment_id,), Needs(in_flight=True))  # type: ignore[attr-defined]
            if snapshot.in_flight == [0] and "ClientDisconnected" in gateway.log.getvalue():
                break
            await asyncio.sleep(0.05)
        # The upstream stream was closed (the deployment's attempt settled) and the gateway
        # logged the disconnect, long before the reply would have ended.
        assert snapshot.in_flight == [0]
        assert "ClientDisconnected" in gateway.log.getvalue()
        assert time.monotonic() - started < 5
