"""Vertex AI deployments configured the LiteLLM way (vertex_project, vertex_location,
vertex_credentials as a service-account file) through the real gateway, called with the
official openai SDK: the token exchange and the Vertex call both leave from the gateway."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import openai
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from lockgate.config import parse_config
from lockgate.mock import MockServer
from tests.gateway.harness import MASTER_KEY, running_gateway
from tests.providers.gemini.google_token_server import (
    TokenServer,
    new_private_key,
    service_account_info,
    token_server,
)

USER = [{"role": "user", "content": "hi"}]
# The token endpoint listens on another loopback address than the mock Vertex server, so
# only an explicit egress allowance lets the gateway reach it.
TOKEN_HOST = "127.0.0.2"


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return new_private_key()


@pytest.fixture
async def tokens(key: rsa.RSAPrivateKey) -> AsyncIterator[TokenServer]:
    async with token_server(key.public_key(), host=TOKEN_HOST) as server:
        yield server


def _config(mock_url: str, key_file: str, allow_token_host: bool) -> str:
    text = f"""
model_list:
  - model_name: gemini-sa
    litellm_params:
      model: vertex_ai/gemini-2.5-flash
      api_base: {mock_url}
      vertex_project: cfg-proj
      vertex_location: europe-west4
      vertex_credentials: {key_file}
  - model_name: claude-sa
    litellm_params:
      model: vertex_ai/claude-sonnet-4-5@20250929
      api_base: {mock_url}
      vertex_location: us-east5
      vertex_credentials: {key_file}
"""
    if allow_token_host:
        text += f"lockgate_settings:\n  egress:\n    allow_hosts: ['{TOKEN_HOST}']\n"
    return text


def _key_file(tmp_path: Path, key: rsa.RSAPrivateKey, tokens: TokenServer) -> str:
    path = tmp_path / "vertex-sa.json"
    path.write_text(json.dumps(service_account_info(key, tokens.token_uri)), encoding="utf-8")
    return str(path)


async def test_deployments_with_vertex_settings_reach_the_right_url_with_the_token(
    mock: MockServer, tokens: TokenServer, key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    config = parse_config(
        _config(mock.url, _key_file(tmp_path, key, tokens), allow_token_host=True),
        source="<vertex>",
        env={},
    )
    async with running_gateway(config, control=False) as gateway:
        oai = openai.AsyncOpenAI(base_url=gateway.openai_base, api_key=MASTER_KEY, max_retries=0)
        try:
            gemini = await oai.chat.completions.create(model="gemini-sa", messages=USER)
            claude = await oai.chat.completions.create(
                model="claude-sa", messages=USER, max_tokens=30
            )
            stream = await oai.chat.completions.create(
                model="gemini-sa", messages=USER, stream=True
            )
            chunks = [chunk async for chunk in stream]
        finally:
            await oai.close()
        async with (
            aiohttp.ClientSession() as http,
            http.get(
                gateway.openai_base + "/model/info",
                headers={"Authorization": f"Bearer {MASTER_KEY}"},
            ) as answer,
        ):
            assert answer.status == 200
            info = await answer.text()
        log = gateway.log.getvalue()
    # The credential and the minted token appear neither in the admin view nor in the log.
    for text in (info, log):
        assert "PRIVATE KEY" not in text and "ya29.test" not in text
    assert "vertex_credentials" in info
    assert gemini.choices[0].message.content and claude.choices[0].message.content
    assert chunks
    paths = [r["path"] for r in mock.requests]
    assert paths == [
        "/v1/projects/cfg-proj/locations/europe-west4/publishers/google/models/"
        "gemini-2.5-flash:generateContent",
        # No vertex_project: the service account's project_id, as LiteLLM does.
        "/v1/projects/sa-project/locations/us-east5/publishers/anthropic/models/"
        "claude-sonnet-4-5@20250929:rawPredict",
        "/v1/projects/cfg-proj/locations/europe-west4/publishers/google/models/"
        "gemini-2.5-flash:streamGenerateContent",
    ]
    assert [r["headers"]["authorization"] for r in mock.requests] == ["Bearer ya29.test-1"] * 3
    assert tokens.requests == 1  # one credential file, one token, shared by both models


async def test_token_host_outside_the_gateway_egress_policy_is_refused(
    mock: MockServer, tokens: TokenServer, key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    config = parse_config(
        _config(mock.url, _key_file(tmp_path, key, tokens), allow_token_host=False),
        source="<vertex>",
        env={},
    )
    async with running_gateway(config, control=False) as gateway:
        oai = openai.AsyncOpenAI(base_url=gateway.openai_base, api_key=MASTER_KEY, max_retries=0)
        try:
            with pytest.raises(openai.APIStatusError) as caught:
                await oai.chat.completions.create(model="gemini-sa", messages=USER)
        finally:
            await oai.close()
    assert caught.value.status_code == 403
    assert "egress refused" in caught.value.message
    assert tokens.requests == 0
    assert mock.requests == []
