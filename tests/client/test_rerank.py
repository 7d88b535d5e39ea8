"""``lockgate.rerank`` / ``arerank``: translated (Cohere, Bedrock) and forwarded (OpenAI-
compatible servers that serve /rerank), against the mock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.threaded_mock import mock_in_thread

import lockgate
from lockgate.client import Client
from lockgate.errors import BadRequestError
from lockgate.mock import MockServer
from lockgate.sdk import _background_loop
from lockgate.types.rerank import RerankResponse

DOCUMENTS = ["Berlin is in Germany.", {"text": "Paris is the capital of France."}, "Rome"]
QUERY = "capital of France"


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    with mock_in_thread() as url:
        yield url


async def test_cohere_rerank(client: Client, mock: MockServer) -> None:
    result = await lockgate.arerank(
        "cohere/rerank-v3.5",
        QUERY,
        DOCUMENTS,
        top_n=2,
        return_documents=True,
        client=client,
        api_key="co-key",
        api_base=mock.url,
    )
    assert isinstance(result, RerankResponse)
    assert [r.index for r in result.results] == [1, 0]
    assert result.results[0].document == {"text": "Paris is the capital of France."}
    assert result.meta is not None and result.meta["billed_units"] == {"search_units": 1}
    sent = mock.requests[-1]
    assert sent["path"] == "/v2/rerank"
    assert sent["body"]["documents"][1] == "Paris is the capital of France."
    assert "return_documents" not in sent["body"]  # v2 does not take it; answered locally


async def test_bedrock_rerank_and_refusals(client: Client, mock: MockServer) -> None:
    result = await lockgate.arerank(
        "bedrock/cohere.rerank-v3-5:0",
        QUERY,
        DOCUMENTS,
        client=client,
        api_key="bedrock-key",
        api_base=mock.url,
    )
    assert result.results[0].index == 1 and result.results[0].document is None
    assert mock.requests[-1]["body"]["api_version"] == 2
    with pytest.raises(BadRequestError, match="Cohere Rerank"):
        await lockgate.arerank(
            "bedrock/amazon.rerank-v1:0",
            QUERY,
            DOCUMENTS,
            client=client,
            api_key="k",
            api_base=mock.url,
        )
    with pytest.raises(BadRequestError, match="does not serve /rerank"):
        await lockgate.arerank(
            "ollama/llama3.2", QUERY, DOCUMENTS, client=client, api_base=mock.url
        )


async def test_rerank_validates_its_arguments(client: Client, mock: MockServer) -> None:
    with pytest.raises(BadRequestError, match="top_n"):
        await lockgate.arerank(
            "cohere/rerank-v3.5",
            QUERY,
            DOCUMENTS,
            top_n=0,
            client=client,
            api_key="k",
            api_base=mock.url,
        )
    with pytest.raises(BadRequestError, match="documents"):
        await lockgate.arerank(
            "cohere/rerank-v3.5", QUERY, [], client=client, api_key="k", api_base=mock.url
        )


def test_sync_rerank_on_the_default_client(mock_url: str) -> None:
    result = lockgate.rerank(
        "cohere/rerank-v3.5", QUERY, DOCUMENTS, top_n=1, api_key="co-key", api_base=mock_url
    )
    assert [r.index for r in result.results] == [1]
    assert result.results[0].relevance_score > 0.5
    # Close the default client's session on the loop that opened it (warnings are errors).
    _background_loop().run(lockgate.aclose)
