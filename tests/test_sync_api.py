"""The module-level, synchronous LiteLLM-style API."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

import lockgate
from tests.threaded_mock import mock_in_thread


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    with mock_in_thread() as url:
        yield url


def test_sync_completion_stream_and_cost(mock_url: str) -> None:
    response = lockgate.completion(
        model="openai/gpt-4o-mini",
        messages=[{"role": "user", "content": "hello"}],
        api_base=mock_url + "/v1",
        api_key="sk-sync",
    )
    assert isinstance(response, lockgate.ChatCompletion)
    assert lockgate.completion_cost(response) == response.response_cost
    stream = lockgate.completion(
        model="openai/gpt-4o-mini",
        messages=[{"role": "user", "content": "hello"}],
        stream=True,
        api_base=mock_url + "/v1",
        api_key="sk-sync",
    )
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)  # type: ignore[union-attr]
    assert "hello" in text
    embedded = lockgate.embedding(
        model="openai/text-embedding-3-small", input="x", api_base=mock_url + "/v1", api_key="k"
    )
    assert embedded.data


def test_completion_cost_from_token_counts() -> None:
    info = lockgate.get_model_info("gpt-4o-mini")
    assert info.input_cost_per_token is not None and info.output_cost_per_token is not None
    expected = 1000 * info.input_cost_per_token + 500 * info.output_cost_per_token
    cost = lockgate.completion_cost(model="gpt-4o-mini", prompt_tokens=1000, completion_tokens=500)
    assert cost == pytest.approx(expected)
    with pytest.raises(lockgate.NotFoundError):
        lockgate.completion_cost(model="no-such-model-xyz", prompt_tokens=1)


def test_sync_calls_share_one_background_loop() -> None:
    before = {t.name for t in threading.enumerate()}
    lockgate.completion(
        model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "x"}], mock_response="a"
    )
    lockgate.completion(
        model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "x"}], mock_response="b"
    )
    loops = [t for t in threading.enumerate() if t.name == "lockgate-sync"]
    assert len(loops) == 1
    assert before - {"lockgate-sync"} <= {t.name for t in threading.enumerate()}
