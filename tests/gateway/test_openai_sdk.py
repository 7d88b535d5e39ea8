"""The gateway driven by the official openai SDK, with a mock OpenAI upstream behind it."""

from __future__ import annotations

import openai
import orjson
import pytest

from lockgate.mock import MockServer
from tests.gateway.harness import MASTER_KEY, RunningGateway

MESSAGES: list[dict[str, str]] = [{"role": "user", "content": "Hello gateway"}]


async def test_chat_non_stream(
    oai: openai.AsyncOpenAI, mock: MockServer, gateway: RunningGateway
) -> None:
    raw = await oai.chat.completions.with_raw_response.create(
        model="gpt-4o-mini",
        messages=MESSAGES,  # type: ignore[arg-type]
    )
    completion = raw.parse()
    assert completion.choices[0].message.content == "This is a mock reply to: Hello gateway"
    assert completion.usage is not None and completion.usage.total_tokens > 0
    assert raw.headers["x-request-id"]
    assert float(raw.headers["x-lockgate-overhead-ms"]) >= 0
    upstream = mock.requests[-1]
    # The caller's key never travels upstream: the deployment's key does.
    assert upstream["headers"]["authorization"] == "Bearer sk-upstream-secret-1234"
    assert MASTER_KEY not in orjson.dumps(upstream).decode()


async def test_chat_stream_with_usage(oai: openai.AsyncOpenAI) -> None:
    stream = await oai.chat.completions.create(
        model="gpt-4o-mini",
        messages=MESSAGES,  # type: ignore[arg-type]
        stream=True,
        stream_options={"include_usage": True},
    )
    text = ""
    usage = None
    async for chunk in stream:
        if chunk.choices:
            text += chunk.choices[0].delta.content or ""
        if chunk.usage is not None:
            usage = chunk.usage
    assert text == "This is a mock reply to: Hello gateway"
    assert usage is not None and usage.completion_tokens > 0


async def test_tools(oai: openai.AsyncOpenAI) -> None:
    completion = await oai.chat.completions.create(
        model="gpt-4o-mini",
        messages=MESSAGES,  # type: ignore[arg-type]
        tools=[
            {
                "type": "function",
                "function": {
                    "name": "lookup",
                    "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
                },
            }
        ],
    )
    call = completion.choices[0].message.tool_calls[0]  # type: ignore[index]
    assert call.function.name == "lookup"  # type: ignore[union-attr]
    assert completion.choices[0].finish_reason == "tool_calls"


async def test_embeddings_and_models(oai: openai.AsyncOpenAI) -> None:
    result = await oai.embeddings.create(model="gpt-4o-mini", input=["one", "two"])
    assert len(result.data) == 2
    models = await oai.models.list()
    assert [m.id for m in models.data] == ["gpt-4o-mini"]
    assert (await oai.models.retrieve("gpt-4o-mini")).id == "gpt-4o-mini"
    with pytest.raises(openai.NotFoundError):
        await oai.models.retrieve("nope")


@pytest.mark.parametrize(
    ("status", "exc"),
    [
        ("429", openai.RateLimitError),
        ("500", openai.InternalServerError),
        ("503", openai.InternalServerError),
        ("400", openai.BadRequestError),
        ("401", openai.AuthenticationError),
    ],
)
async def test_upstream_errors_reach_the_client_as_sdk_errors(
    oai: openai.AsyncOpenAI, mock: MockServer, status: str, exc: type[Exception]
) -> None:
    # Scripted on the upstream: the gateway never forwards the caller's headers.
    mock.script([{"status": int(status), "times": 5}])
    with pytest.raises(exc) as info:
        await oai.chat.completions.create(
            model="gpt-4o-mini",
            messages=MESSAGES,  # type: ignore[arg-type]
        )
    error = info.value
    assert isinstance(error, openai.APIStatusError)
    assert int(status) == error.status_code or (status == "503" and error.status_code == 503)
    body = error.body
    assert isinstance(body, dict) and set(body) == {"message", "type", "param", "code"}
    if status == "429":
        assert error.response.headers.get("retry-after")


async def test_missing_and_wrong_key(gateway: RunningGateway) -> None:
    for key in ("sk-wrong", ""):
        client = openai.AsyncOpenAI(base_url=gateway.openai_base, api_key=key or "x", max_retries=0)
        try:
            with pytest.raises(openai.AuthenticationError):
                await client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)  # type: ignore[arg-type]
        finally:
            await client.close()


async def test_unknown_model_is_a_clear_error(oai: openai.AsyncOpenAI) -> None:
    with pytest.raises(openai.APIStatusError) as info:
        await oai.chat.completions.create(model="no-such-group", messages=MESSAGES)  # type: ignore[arg-type]
    assert info.value.status_code in (400, 404)
    assert "no-such-group" in str(info.value)


async def test_access_log_has_no_secrets_or_prompts(
    oai: openai.AsyncOpenAI, gateway: RunningGateway
) -> None:
    await oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)  # type: ignore[arg-type]
    log = gateway.log.getvalue()
    lines = [orjson.loads(line) for line in log.splitlines() if line.strip()]
    request_lines = [line for line in lines if line.get("event") == "request"]
    assert request_lines and request_lines[-1]["status"] == 200
    assert request_lines[-1]["model"] == "gpt-4o-mini"
    for secret in (MASTER_KEY, "sk-upstream-secret-1234", "Hello gateway"):
        assert secret not in log
