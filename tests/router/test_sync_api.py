"""The router's synchronous methods, for code without an event loop."""

from __future__ import annotations

import threading

from lockgate.router import Router, SyncRoutedStream
from lockgate.types import ChatCompletion
from tests.threaded_mock import mock_in_thread

MESSAGES = [{"role": "user", "content": "hello"}]


def test_sync_completion_stream_embedding_and_selection() -> None:
    with mock_in_thread() as url:
        router = Router(
            model_list=[
                {
                    "model_name": "g",
                    "litellm_params": {
                        "model": "openai/mock-a",
                        "api_base": url + "/v1",
                        "api_key": "k",
                    },
                },
                {
                    "model_name": "e",
                    "litellm_params": {
                        "model": "openai/text-embedding-3-small",
                        "api_base": url + "/v1",
                        "api_key": "k",
                    },
                },
            ]
        )
        try:
            response = router.completion("g", MESSAGES)
            assert isinstance(response, ChatCompletion)
            assert response._hidden_params["model_group"] == "g"
            with router.completion("g", MESSAGES, stream=True) as stream:
                assert isinstance(stream, SyncRoutedStream)
                text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
            assert "hello" in text and stream.usage is not None
            assert stream._hidden_params["deployment"] == "openai/mock-a"
            assert len(router.embedding("e", "x").data) == 1
            assert router.get_available_deployment("g").model == "openai/mock-a"
        finally:
            router.close()
    assert "lockgate-router-sync" not in {t.name for t in threading.enumerate()}
