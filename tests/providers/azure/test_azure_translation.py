"""Azure OpenAI translation against the recordings of wire-formats §2 (no network)."""

from __future__ import annotations

import orjson
import pytest

from lockgate.client.credentials import resolve_credentials
from lockgate.errors import (
    AuthenticationError,
    ContentPolicyViolationError,
    ContextWindowExceededError,
    NotFoundError,
    RateLimitError,
)
from lockgate.providers import PROVIDERS
from lockgate.providers.azure.adapter import AzureAdapter
from lockgate.security import Secret
from tests.providers.azure.recordings import (
    CONTENT_FILTER_400,
    NON_STREAM,
    RATE_LIMIT_429,
    STREAM,
)
from tests.providers.native_calls import (
    body_of,
    chat,
    credentials,
    embedding,
    feed,
    finish_of,
    response,
    text_of,
)

ADAPTER = AzureAdapter()
RESOURCE = "https://llmobs-test-resource.openai.azure.com"


def url_for(api_base: str, api_version: str | None = None, provider: str = "azure") -> str:
    creds = credentials(api_base=api_base, api_version=api_version)
    return ADAPTER.build_chat_request(chat(provider, "gpt-4.1-mini", creds=creds)).url


def test_deployment_url_as_recorded() -> None:
    # The real recorded request URL (§2.1).
    assert url_for(RESOURCE, "2024-12-01-preview") == (
        f"{RESOURCE}/openai/deployments/gpt-4.1-mini/chat/completions"
        "?api-version=2024-12-01-preview"
    )


@pytest.mark.parametrize("base", [RESOURCE, RESOURCE + "/", RESOURCE + "/openai"])
def test_default_api_version_and_base_forms(base: str) -> None:
    assert url_for(base) == (
        f"{RESOURCE}/openai/deployments/gpt-4.1-mini/chat/completions?api-version=2024-10-21"
    )


def test_v1_routes() -> None:
    expected = f"{RESOURCE}/openai/v1/chat/completions"
    assert url_for(RESOURCE, "v1") == expected
    assert url_for(RESOURCE + "/openai/v1") == expected
    assert url_for(RESOURCE + "/openai/v1/", "preview") == expected + "?api-version=preview"
    creds = credentials(api_base=RESOURCE + "/openai/v1")
    request = ADAPTER.build_embedding_request(embedding("azure", "emb", ["a"], creds=creds))
    assert request.url == f"{RESOURCE}/openai/v1/embeddings"
    assert body_of(request)["model"] == "emb"


def test_azure_ai_routes() -> None:
    base = "https://my-project.services.ai.azure.com/models"
    assert url_for(base, provider="azure_ai") == (
        f"{base}/chat/completions?api-version=2024-05-01-preview"
    )
    assert url_for("https://x.eastus2.models.ai.azure.com", provider="azure_ai") == (
        "https://x.eastus2.models.ai.azure.com/chat/completions"
    )


def test_api_version_from_the_environment() -> None:
    spec = PROVIDERS["azure"]
    env = {"AZURE_API_BASE": RESOURCE, "AZURE_API_KEY": "k", "AZURE_API_VERSION": "2025-01-01"}
    creds = resolve_credentials(spec, env)
    assert creds.api_version == "2025-01-01"
    assert resolve_credentials(spec, env, api_version="v1").api_version == "v1"


def test_auth_headers() -> None:
    key_request = ADAPTER.build_chat_request(chat("azure", "d", stream=True))
    assert key_request.headers["api-key"] == "test-key"
    assert "Authorization" not in key_request.headers
    assert key_request.headers["Accept"] == "text/event-stream"
    token = credentials(api_key=None, azure_ad_token=Secret("entra-token"))
    token_request = ADAPTER.build_chat_request(chat("azure", "d", creds=token))
    assert token_request.headers["Authorization"] == "Bearer entra-token"
    assert "api-key" not in token_request.headers
    with pytest.raises(AuthenticationError, match="AZURE_AD_TOKEN"):
        ADAPTER.build_chat_request(chat("azure", "d", creds=credentials(api_key=None)))
    env_token = resolve_credentials(
        PROVIDERS["azure"], {"AZURE_API_BASE": RESOURCE, "AZURE_AD_TOKEN": "t"}
    )
    assert env_token.azure_ad_token is not None and env_token.api_key is None


def test_body_is_openais() -> None:
    body = body_of(ADAPTER.build_chat_request(chat("azure", "gpt-4.1-mini", temperature=0.5)))
    assert body == {
        "model": "gpt-4.1-mini",
        "messages": [{"role": "user", "content": "Hello!"}],
        "temperature": 0.5,
    }


def test_recorded_response_keeps_filter_results() -> None:
    completion = ADAPTER.parse_chat_response(chat("azure", "gpt-4.1-mini"), response(NON_STREAM))
    choice = completion.choices[0]
    assert choice.message.content is not None
    assert choice.message.content.startswith("Certainly! The phrase")
    assert choice.extra["content_filter_results"]["hate"] == {"filtered": False, "severity": "safe"}
    assert completion.extra["prompt_filter_results"][0]["prompt_index"] == 0
    assert completion.usage is not None and completion.usage.total_tokens == 366
    dumped = completion.model_dump()
    assert "content_filter_results" in dumped["choices"][0]


def test_recorded_stream() -> None:
    chunks = feed(ADAPTER, chat("azure", "gpt-4o-mini", stream=True), STREAM)
    # The first chunk (empty choices, only prompt_filter_results) is not passed on.
    assert all(chunk.choices for chunk in chunks)
    assert all(chunk.id == "chatcmpl-BuBnK8LTKUtp70pLip5ZGv7HUzYPj" for chunk in chunks)
    assert "prompt_filter_results" in chunks[0].extra
    assert text_of(chunks) == "I'm unable."
    assert finish_of(chunks) == "stop"


def test_content_filter_error() -> None:
    error = ADAPTER.map_error(response(CONTENT_FILTER_400, 400))
    assert isinstance(error, ContentPolicyViolationError)
    assert error.code == "content_filter"


def test_other_errors() -> None:
    error = ADAPTER.map_error(response(RATE_LIMIT_429, 429, **{"retry-after": "60"}))
    assert isinstance(error, RateLimitError) and error.retry_after == 60.0
    missing = {
        "error": {
            "code": "DeploymentNotFound",
            "message": "The API deployment for this resource does not exist.",
        }
    }
    assert isinstance(ADAPTER.map_error(response(missing, 404)), NotFoundError)
    context = {
        "error": {
            "message": "This model's maximum context length is 300000 tokens. However, your "
            "messages resulted in 350564 tokens.",
            "code": "context_length_exceeded",
        }
    }
    assert isinstance(ADAPTER.map_error(response(context, 400)), ContextWindowExceededError)
    bad_key = {"error": {"code": "401", "message": "Access denied due to invalid subscription key"}}
    assert isinstance(ADAPTER.map_error(response(bad_key, 401)), AuthenticationError)


def test_embeddings_and_text_completions() -> None:
    request = ADAPTER.build_embedding_request(embedding("azure", "text-embedding-3-small", "hi"))
    assert request.url == (
        "http://upstream.test/openai/deployments/text-embedding-3-small/embeddings"
        "?api-version=2024-10-21"
    )
    assert request.headers["api-key"] == "test-key"
    assert orjson.loads(request.body or b"")["input"] == "hi"
    assert PROVIDERS["azure"].quirks.supports_text_completion


@pytest.mark.parametrize(
    ("version", "asks_usage"),
    [
        ("2024-02-01", False),
        ("2024-08-01-preview", False),
        ("2024-09-01-preview", True),
        ("2024-10-21", True),
        ("v1", True),
        (None, True),
    ],
)
def test_stream_options_only_where_the_version_takes_them(
    version: str | None, asks_usage: bool
) -> None:
    call = chat("azure", "d", stream=True, creds=credentials(api_version=version))
    body = body_of(ADAPTER.build_chat_request(call))
    assert ("stream_options" in body) is asks_usage
