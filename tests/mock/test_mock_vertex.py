"""The mock's Vertex AI URL shapes: bearer auth, Gemini, Claude rawPredict, predict."""

from __future__ import annotations

import aiohttp

from lockgate.mock import MockServer

ROOT = "/v1/projects/p/locations/us-central1/publishers"
BEARER = {"Authorization": "Bearer ya29.test"}


async def post(
    mock: MockServer, path: str, body: object, headers: dict[str, str] | None = None
) -> tuple[int, object]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(mock.url + path, json=body, headers=headers or {}) as response,
    ):
        return response.status, await response.json(content_type=None)


async def test_bearer_token_is_required(mock: MockServer) -> None:
    body = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
    status, payload = await post(
        mock, f"{ROOT}/google/models/gemini-2.5-flash:generateContent", body
    )
    assert status == 401 and payload["error"]["status"] == "UNAUTHENTICATED"  # type: ignore[index]
    status, payload = await post(
        mock, f"{ROOT}/google/models/gemini-2.5-flash:generateContent", body, BEARER
    )
    assert status == 200
    assert payload["candidates"][0]["content"]["parts"][0]["text"] == "This is a mock reply to: hi"  # type: ignore[index]


async def test_claude_raw_predict_needs_the_vertex_version(mock: MockServer) -> None:
    body = {"max_tokens": 20, "messages": [{"role": "user", "content": "hi"}]}
    path = f"{ROOT}/anthropic/models/claude-sonnet-4-5@20250929:rawPredict"
    status, payload = await post(mock, path, body, BEARER)
    assert status == 400 and "anthropic_version" in payload["error"]["message"]  # type: ignore[index]
    status, payload = await post(
        mock, path, {**body, "anthropic_version": "vertex-2023-10-16"}, BEARER
    )
    assert status == 200 and payload["type"] == "message"  # type: ignore[index]
    assert payload["model"] == "claude-sonnet-4-5@20250929"  # type: ignore[index]


async def test_predict_embeddings(mock: MockServer) -> None:
    body = {
        "instances": [{"content": "a"}, {"content": "bb"}],
        "parameters": {"outputDimensionality": 5},
    }
    status, payload = await post(
        mock, f"{ROOT}/google/models/text-embedding-005:predict", body, BEARER
    )
    assert status == 200
    predictions = payload["predictions"]  # type: ignore[index]
    assert [len(p["embeddings"]["values"]) for p in predictions] == [5, 5]
    assert predictions[0]["embeddings"]["statistics"]["token_count"] == 1


async def test_unknown_publisher_method_is_404(mock: MockServer) -> None:
    status, _ = await post(mock, f"{ROOT}/meta/models/llama:rawPredict", {}, BEARER)
    assert status == 404
