"""Every OpenAI-compatible row, end to end against the mock: key variable, quirks, stream."""

from __future__ import annotations

import pytest

from lockgate.client import Client, CompletionStream
from lockgate.mock import MockServer
from lockgate.providers import PROVIDERS
from lockgate.types import ChatCompletion

ROWS = sorted(name for name, spec in PROVIDERS.items() if spec.protocol == "openai")


@pytest.mark.parametrize("provider", ROWS)
async def test_row_chat_and_stream_through_its_key_variable(
    provider: str, mock: MockServer
) -> None:
    spec = PROVIDERS[provider]
    env = {spec.api_key_env[0]: f"sk-{provider}"}
    if spec.api_base_env:
        env[spec.api_base_env[0]] = mock.openai_base_url
    client = Client(env=env)
    # Rows with a fixed public base URL are pointed at the mock with api_base.
    extra = {} if spec.api_base_env else {"api_base": mock.openai_base_url}
    try:
        response = await client.acompletion(
            f"{provider}/some-model",
            [{"role": "user", "content": "hi"}],
            seed=7,
            drop_params=True,
            **extra,
        )
        assert isinstance(response, ChatCompletion)
        assert response.choices[0].message.content
        stream = await client.acompletion(
            f"{provider}/some-model", [{"role": "user", "content": "hi"}], stream=True, **extra
        )
        assert isinstance(stream, CompletionStream)
        assert "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    finally:
        await client.aclose()
    first, second = mock.requests[-2:]
    assert first["headers"]["authorization"] == f"Bearer sk-{provider}"
    assert first["body"]["model"] == "some-model"
    seed_field = spec.quirks.renamed_params.get("seed", "seed")
    if "seed" in spec.quirks.unsupported_params:
        assert seed_field not in first["body"]  # dropped: drop_params=True
    else:
        assert first["body"][seed_field] == 7
    if spec.quirks.supports_stream_options:
        assert second["body"]["stream_options"] == {"include_usage": True}
    else:
        assert "stream_options" not in second["body"]
