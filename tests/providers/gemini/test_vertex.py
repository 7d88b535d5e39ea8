"""Vertex AI: URLs, bearer auth, Claude over rawPredict, errors of both shapes, embeddings."""

from __future__ import annotations

from types import MappingProxyType

import orjson
import pytest

from lockgate.client.credentials import resolve_credentials
from lockgate.errors import BadRequestError, RateLimitError, ServiceUnavailableError
from lockgate.providers import PROVIDERS, EmbeddingCall
from lockgate.providers.gemini.vertex_adapter import VertexAdapter
from lockgate.transport import UpstreamResponse
from tests.providers.gemini import recordings
from tests.providers.helpers import body_of, chat_call

ADAPTER = VertexAdapter()
USER = [{"role": "user", "content": "hi"}]
ROOT = "https://us-central1-aiplatform.googleapis.com/v1/projects/my-proj/locations/us-central1"


@pytest.mark.parametrize(
    ("api_base", "project", "location", "root"),
    [
        (None, "my-proj", None, ROOT),
        (None, "my-proj", "europe-west4", ROOT.replace("us-central1", "europe-west4")),
        (
            None,
            "my-proj",
            "global",
            "https://aiplatform.googleapis.com/v1/projects/my-proj/locations/global",
        ),
        (
            "https://europe-west1-aiplatform.googleapis.com",
            "p",
            None,
            "https://europe-west1-aiplatform.googleapis.com/v1/projects/p/locations/europe-west1",
        ),
        (ROOT, None, None, ROOT),
        (ROOT + "/publishers/google/models/x:generateContent", None, None, ROOT),
        (
            "http://127.0.0.1:9000/v1",
            "p",
            "us-east5",
            "http://127.0.0.1:9000/v1/projects/p/locations/us-east5",
        ),
    ],
)
def test_project_and_location_resolution(
    api_base: str | None, project: str | None, location: str | None, root: str
) -> None:
    call = chat_call(
        "vertex_ai",
        "gemini-2.5-flash",
        USER,
        api_base=api_base,
        vertex_project=project,
        vertex_location=location,
    )
    request = ADAPTER.build_chat_request(call)
    assert request.url == root + "/publishers/google/models/gemini-2.5-flash:generateContent"
    assert request.headers["Authorization"] == "Bearer test-key"
    assert "x-goog-api-key" not in request.headers


def test_gemini_stream_url_and_body() -> None:
    call = chat_call(
        "vertex_ai",
        "gemini-2.5-flash",
        USER,
        stream=True,
        vertex_project="my-proj",
        temperature=0.5,
    )
    request = ADAPTER.build_chat_request(call)
    assert (
        request.url
        == ROOT + "/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
    )
    assert body_of(request) == {
        "contents": [{"role": "user", "parts": [{"text": "hi"}]}],
        "generationConfig": {"temperature": 0.5},
    }


def test_claude_uses_raw_predict_with_the_anthropic_body() -> None:
    call = chat_call(
        "vertex_ai",
        "claude-sonnet-4-5@20250929",
        USER,
        vertex_project="my-proj",
        max_tokens=100,
        stream=True,
    )
    request = ADAPTER.build_chat_request(call)
    assert (
        request.url
        == ROOT + "/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict"
    )
    assert body_of(request) == {
        "max_tokens": 100,
        "messages": [{"role": "user", "content": "hi"}],
        "stream": True,
        "anthropic_version": "vertex-2023-10-16",
    }
    assert "x-api-key" not in request.headers and "anthropic-version" not in request.headers
    non_stream = chat_call(
        "vertex_ai", "claude-sonnet-4-5@20250929", USER, vertex_project="my-proj"
    )
    assert ADAPTER.build_chat_request(non_stream).url.endswith(":rawPredict")
    # Claude's parameter rules, not Gemini's
    assert "user" in ADAPTER.supported_params(non_stream)
    assert "seed" not in ADAPTER.supported_params(non_stream)


def test_bad_placement_is_refused() -> None:
    with pytest.raises(BadRequestError, match="needs a project"):
        ADAPTER.build_chat_request(chat_call("vertex_ai", "gemini-2.5-flash", USER))
    with pytest.raises(BadRequestError, match="invalid Vertex AI location"):
        ADAPTER.build_chat_request(
            chat_call(
                "vertex_ai",
                "gemini-2.5-flash",
                USER,
                vertex_project="p",
                vertex_location="evil.com/x",
            )
        )


def test_environment_supplies_token_project_and_location() -> None:
    env = {
        "VERTEXAI_ACCESS_TOKEN": "ya29.env",
        "VERTEXAI_PROJECT": "env-proj",
        "VERTEXAI_LOCATION": "asia-northeast1",
    }
    credentials = resolve_credentials(PROVIDERS["vertex_ai"], env)
    assert credentials.api_key is not None and credentials.api_key.reveal() == "ya29.env"
    assert (credentials.vertex_project, credentials.vertex_location) == (
        "env-proj",
        "asia-northeast1",
    )
    # Explicit options win over the environment; other providers never read these variables.
    explicit = resolve_credentials(PROVIDERS["vertex_ai"], env, cloud={"vertex_project": "opt"})
    assert explicit.vertex_project == "opt"
    other = resolve_credentials(PROVIDERS["gemini"], {**env, "GEMINI_API_KEY": "k"})
    assert other.vertex_project is None
    # Every default regional host is an allowed destination without an api_base.
    assert "asia-northeast1-aiplatform.googleapis.com" in PROVIDERS["vertex_ai"].default_hosts


def test_errors_of_both_shapes() -> None:
    quota = ADAPTER.map_error(UpstreamResponse(429, {}, recordings.QUOTA_ERROR.encode()))
    assert isinstance(quota, RateLimitError) and quota.retry_after == 20.0
    overloaded = ADAPTER.map_error(
        UpstreamResponse(
            529, {}, b'{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'
        )
    )
    assert isinstance(overloaded, ServiceUnavailableError) and overloaded.code == "overloaded_error"


def test_embeddings_predict() -> None:
    spec = PROVIDERS["vertex_ai"]
    call = EmbeddingCall(
        spec,
        "text-embedding-005",
        ["a", "bb"],
        MappingProxyType({"dimensions": 3, "task_type": "RETRIEVAL_QUERY"}),
        chat_call("vertex_ai", "x", USER, vertex_project="my-proj").credentials,
    )
    request = ADAPTER.build_embedding_request(call)
    assert request.url == ROOT + "/publishers/google/models/text-embedding-005:predict"
    assert body_of(request) == {
        "instances": [
            {"content": "a", "task_type": "RETRIEVAL_QUERY"},
            {"content": "bb", "task_type": "RETRIEVAL_QUERY"},
        ],
        "parameters": {"outputDimensionality": 3},
    }
    answer = {
        "predictions": [
            {
                "embeddings": {
                    "statistics": {"truncated": False, "token_count": 1},
                    "values": [0.1, 0.2, 0.3],
                }
            },
            {
                "embeddings": {
                    "statistics": {"truncated": False, "token_count": 2},
                    "values": [0.3, 0.2, 0.1],
                }
            },
        ]
    }
    result = ADAPTER.parse_embedding_response(call, UpstreamResponse(200, {}, orjson.dumps(answer)))
    assert [e.embedding for e in result.data] == [[0.1, 0.2, 0.3], [0.3, 0.2, 0.1]]
    assert result.usage is not None and result.usage.prompt_tokens == 3
