"""Vertex AI tokens minted from Google credentials (google-auth), through the SDK client.

A real RSA key signs real JWT assertions (google-auth does the signing); a loopback token
endpoint verifies them with the public key and answers as Google's does; the mock Vertex
server records the bearer token each call carries.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

import lockgate
from lockgate.client import Client
from lockgate.errors import AuthenticationError, EgressDeniedError
from lockgate.mock import MockServer
from lockgate.providers.gemini.google_credentials import credential_source, read_key
from lockgate.providers.gemini.rows import VERTEX_ROW
from lockgate.transport.egress import EgressPolicy
from tests.providers.gemini.google_token_server import (
    TokenServer,
    new_private_key,
    service_account_info,
    token_server,
)

USER = [{"role": "user", "content": "hi"}]
GEMINI = "vertex_ai/gemini-2.5-flash"
CLAUDE = "vertex_ai/claude-sonnet-4-5@20250929"
LOOPBACK = EgressPolicy(allowed_hosts=frozenset({"127.0.0.1"}))


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return new_private_key()


@pytest.fixture
async def tokens(key: rsa.RSAPrivateKey) -> AsyncIterator[TokenServer]:
    async with token_server(key.public_key()) as server:
        yield server


@pytest.fixture
async def sdk() -> AsyncIterator[Client]:
    client = Client(env={}, egress=LOOPBACK)
    yield client
    await client.aclose()


def _write(tmp_path: Path, info: dict[str, Any], name: str = "sa.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(info), encoding="utf-8")
    return str(path)


def _bearers(mock: MockServer) -> list[str]:
    return [r["headers"].get("authorization", "") for r in mock.requests]


async def test_service_account_file_token_reaches_gemini(
    sdk: Client, mock: MockServer, tokens: TokenServer, key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    path = _write(tmp_path, service_account_info(key, tokens.token_uri))
    reply = await sdk.acompletion(
        GEMINI,
        USER,
        api_base=mock.url,
        vertex_project="my-proj",
        vertex_location="europe-west4",
        vertex_credentials=path,
    )
    assert reply.choices[0].message.content
    request = mock.requests[-1]
    assert request["path"] == (
        "/v1/projects/my-proj/locations/europe-west4/publishers/google/models/"
        "gemini-2.5-flash:generateContent"
    )
    assert request["headers"]["authorization"] == "Bearer ya29.test-1"
    # The server verified the RS256 signature with the public key, and the claims.
    assert tokens.grants == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    assert tokens.claims[0]["iss"] == "lockgate-test@sa-project.iam.gserviceaccount.com"
    # google-auth's own HTTP transport (requests) was never loaded: lockgate's carried it.
    assert "google.auth.transport.requests" not in sys.modules


async def test_claude_with_inline_json_takes_the_project_from_the_key(
    sdk: Client, mock: MockServer, tokens: TokenServer, key: rsa.RSAPrivateKey
) -> None:
    document = json.dumps(service_account_info(key, tokens.token_uri, project_id="from-key"))
    stream = await sdk.acompletion(
        CLAUDE,
        USER,
        stream=True,
        max_tokens=50,
        api_base=mock.url,
        vertex_location="us-east5",
        vertex_credentials=document,
    )
    chunks = [chunk async for chunk in stream]
    assert chunks
    request = mock.requests[-1]
    assert request["path"] == (
        "/v1/projects/from-key/locations/us-east5/publishers/anthropic/models/"
        "claude-sonnet-4-5@20250929:streamRawPredict"
    )
    assert request["headers"]["authorization"] == "Bearer ya29.test-1"
    assert "model" not in request["body"]


async def test_credentials_as_a_mapping_and_an_explicit_project_wins(
    sdk: Client, mock: MockServer, tokens: TokenServer, key: rsa.RSAPrivateKey
) -> None:
    info = service_account_info(key, tokens.token_uri, project_id="from-key")
    await sdk.acompletion(
        GEMINI, USER, api_base=mock.url, vertex_project="explicit", vertex_credentials=info
    )
    assert "/projects/explicit/locations/us-central1/" in mock.requests[-1]["path"]
    assert _bearers(mock) == ["Bearer ya29.test-1"]


async def test_token_is_reused_across_calls_and_embeddings(
    sdk: Client, mock: MockServer, tokens: TokenServer, key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    path = _write(tmp_path, service_account_info(key, tokens.token_uri))
    options: dict[str, Any] = {"api_base": mock.url, "vertex_credentials": path}
    await sdk.acompletion(GEMINI, USER, **options)
    await sdk.acompletion(CLAUDE, USER, max_tokens=20, **options)
    await sdk.aembedding("vertex_ai/text-embedding-005", ["a", "b"], **options)
    assert tokens.requests == 1
    assert _bearers(mock) == ["Bearer ya29.test-1"] * 3
    assert mock.requests[-1]["path"].endswith("text-embedding-005:predict")
    assert "/projects/sa-project/" in mock.requests[-1]["path"]


async def test_token_is_refreshed_early_and_after_expiry(
    sdk: Client, mock: MockServer, tokens: TokenServer, key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    # A four-second token: refreshed from half its lifetime on, replaced after it expires.
    tokens.expires_in = 4
    path = _write(tmp_path, service_account_info(key, tokens.token_uri))
    options: dict[str, Any] = {"api_base": mock.url, "vertex_credentials": path}
    await sdk.acompletion(GEMINI, USER, **options)
    await sdk.acompletion(GEMINI, USER, **options)
    assert tokens.requests == 1
    await asyncio.sleep(2.2)
    # Inside the refresh window: the still-valid token is used, one refresh starts.
    await sdk.acompletion(GEMINI, USER, **options)
    assert _bearers(mock)[-1] == "Bearer ya29.test-1"
    # Calls go on with it until the background refresh lands; then the new token is used,
    # and the calls in between started no other refresh.
    for _ in range(100):
        await sdk.acompletion(GEMINI, USER, **options)
        if _bearers(mock)[-1] != "Bearer ya29.test-1":
            break
        await asyncio.sleep(0.02)
    assert _bearers(mock)[-1] == "Bearer ya29.test-2"
    assert tokens.requests == 2
    # Past expiry, a call waits for the new token rather than sending a dead one.
    await asyncio.sleep(4.1)
    await sdk.acompletion(GEMINI, USER, **options)
    assert _bearers(mock)[-1] == "Bearer ya29.test-3"
    assert tokens.requests == 3


async def test_concurrent_first_calls_share_one_token_request(
    sdk: Client, mock: MockServer, tokens: TokenServer, key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    tokens.delay = 0.3
    path = _write(tmp_path, service_account_info(key, tokens.token_uri))
    await asyncio.gather(
        *(
            sdk.acompletion(GEMINI, USER, api_base=mock.url, vertex_credentials=path)
            for _ in range(12)
        )
    )
    assert tokens.requests == 1
    assert _bearers(mock) == ["Bearer ya29.test-1"] * 12


async def test_token_uri_outside_the_egress_policy_is_refused_before_connecting(
    mock: MockServer, tokens: TokenServer, key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    # Vertex's own hosts only. The api_base the call passes is allowed for the Vertex
    # request itself, but the token exchange does not inherit that allowance.
    client = Client(env={}, egress=EgressPolicy(allowed_hosts=VERTEX_ROW.default_hosts))
    try:
        path = _write(tmp_path, service_account_info(key, tokens.token_uri))
        with pytest.raises(EgressDeniedError, match="127.0.0.1"):
            await client.acompletion(GEMINI, USER, api_base=mock.url, vertex_credentials=path)
        elsewhere = service_account_info(key, "https://oauth2.attacker.example/token")
        with pytest.raises(EgressDeniedError, match="attacker"):
            await client.acompletion(GEMINI, USER, api_base=mock.url, vertex_credentials=elsewhere)
    finally:
        await client.aclose()
    assert tokens.requests == 0
    assert mock.requests == []


async def test_token_uri_by_a_name_the_policy_does_not_list_is_refused(
    sdk: Client, mock: MockServer, tokens: TokenServer, key: rsa.RSAPrivateKey
) -> None:
    # The same loopback server under the name "localhost", which the policy does not list.
    uri = tokens.token_uri.replace("127.0.0.1", "localhost")
    info = service_account_info(key, uri)
    with pytest.raises(EgressDeniedError, match="localhost"):
        await sdk.acompletion(GEMINI, USER, api_base=mock.url, vertex_credentials=info)
    assert tokens.requests == 0
    assert mock.requests == []


async def test_rejected_assertion_is_an_authentication_error_without_the_key(
    sdk: Client, mock: MockServer, tokens: TokenServer, tmp_path: Path
) -> None:
    other = new_private_key()  # the server only trusts the fixture key
    info = service_account_info(other, tokens.token_uri)
    with pytest.raises(AuthenticationError) as caught:
        await sdk.acompletion(GEMINI, USER, api_base=mock.url, vertex_credentials=info)
    message = str(caught.value)
    assert "invalid_grant" in message and "Invalid JWT Signature" in message
    assert "PRIVATE KEY" not in message
    assert caught.value.status_code == 401
    assert mock.requests == []


async def test_malformed_key_never_reaches_the_message(
    sdk: Client, mock: MockServer, tokens: TokenServer, key: rsa.RSAPrivateKey
) -> None:
    info = service_account_info(key, tokens.token_uri)
    info["private_key"] = (
        "-----BEGIN PRIVATE KEY-----\nSECRETGARBAGE0123456789\n-----END PRIVATE KEY-----\n"
    )
    with pytest.raises(AuthenticationError) as caught:
        await sdk.acompletion(GEMINI, USER, api_base=mock.url, vertex_credentials=info)
    assert "SECRETGARBAGE" not in str(caught.value)
    assert "SECRETGARBAGE" not in repr(caught.value.__cause__ or "")
    assert tokens.requests == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('{"type": "external_account", "audience": "x"}', "not supported"),
        ('{"type": "service_account", "client_email": "a@b"}', "lack private_key, token_uri"),
        ("{not json", "not a JSON document"),
        ("/nonexistent/ya29.secret-looking-path.json", "does not exist"),
    ],
)
async def test_unusable_credentials_are_clear_errors(
    sdk: Client, mock: MockServer, value: str, expected: str
) -> None:
    with pytest.raises(AuthenticationError, match=expected) as caught:
        await sdk.acompletion(GEMINI, USER, api_base=mock.url, vertex_credentials=value)
    assert "ya29.secret" not in str(caught.value)
    assert mock.requests == []


async def test_application_default_credentials_from_the_environment_variable(
    mock: MockServer, tokens: TokenServer, key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    path = _write(tmp_path, service_account_info(key, tokens.token_uri))
    client = Client(env={"GOOGLE_APPLICATION_CREDENTIALS": path}, egress=LOOPBACK)
    try:
        await client.acompletion(GEMINI, USER, api_base=mock.url)
    finally:
        await client.aclose()
    assert _bearers(mock) == ["Bearer ya29.test-1"]
    assert "/projects/sa-project/" in mock.requests[-1]["path"]


async def test_gcloud_authorized_user_file(
    mock: MockServer, tokens: TokenServer, tmp_path: Path
) -> None:
    gcloud = tmp_path / ".config" / "gcloud"
    gcloud.mkdir(parents=True)
    user = {"type": "authorized_user", **tokens.user, "token_uri": tokens.token_uri}
    _write(gcloud, user, "application_default_credentials.json")
    client = Client(env={"HOME": str(tmp_path)}, egress=LOOPBACK)
    try:
        await client.acompletion(GEMINI, USER, api_base=mock.url, vertex_project="user-proj")
    finally:
        await client.aclose()
    assert tokens.grants == ["refresh_token"]
    assert _bearers(mock) == ["Bearer ya29.test-1"]


async def test_no_credentials_anywhere_says_how_to_provide_them(
    mock: MockServer, tmp_path: Path
) -> None:
    client = Client(env={"HOME": str(tmp_path)}, egress=LOOPBACK)
    try:
        with pytest.raises(AuthenticationError, match="GOOGLE_APPLICATION_CREDENTIALS"):
            await client.acompletion(GEMINI, USER, api_base=mock.url, vertex_project="p")
    finally:
        await client.aclose()
    assert mock.requests == []


def _hide_google_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if google-auth were not installed: its imports fail."""
    for name in list(sys.modules):
        if name == "google" or name.startswith(("google.", "lockgate.providers.gemini.google_a")):
            monkeypatch.delitem(sys.modules, name)
    for name in ("google", "google.auth", "google.oauth2"):
        monkeypatch.setitem(sys.modules, name, None)


async def test_missing_google_auth_is_a_clear_error(
    sdk: Client,
    mock: MockServer,
    tokens: TokenServer,
    key: rsa.RSAPrivateKey,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _hide_google_auth(monkeypatch)
    info = service_account_info(key, tokens.token_uri)
    with pytest.raises(AuthenticationError, match=r"pip install 'lockgate\[vertex\]'"):
        await sdk.acompletion(GEMINI, USER, api_base=mock.url, vertex_credentials=info)
    assert tokens.requests == 0
    # A ready access token needs no google-auth.
    await sdk.acompletion(GEMINI, USER, api_base=mock.url, vertex_project="p", api_key="ya29.ready")
    assert _bearers(mock) == ["Bearer ya29.ready"]


async def test_an_access_token_in_the_environment_needs_no_google_credentials(
    mock: MockServer, tmp_path: Path
) -> None:
    client = Client(env={"VERTEXAI_ACCESS_TOKEN": "ya29.env", "HOME": str(tmp_path)})
    try:
        await client.acompletion(GEMINI, USER, api_base=mock.url, vertex_project="p")
    finally:
        await client.aclose()
    assert _bearers(mock) == ["Bearer ya29.env"]


def test_sources_and_keys_never_show_the_credential(key: rsa.RSAPrivateKey, tmp_path: Path) -> None:
    info = service_account_info(key, "https://oauth2.googleapis.com/token")
    source = credential_source(json.dumps(info), {})
    parsed = read_key(source)
    assert parsed.project_id == "sa-project"
    for text in (repr(source), repr(parsed), str(parsed)):
        assert "PRIVATE KEY" not in text
        assert "lockgate-test@" not in text
    # One cache entry per document; the file holding it is another source.
    assert credential_source(dict(info), {}).key == credential_source(info, {}).key
    assert credential_source(json.dumps(info), {}).key == source.key
    assert credential_source(_write(tmp_path, info), {}).key != source.key


async def test_sync_and_async_callers_on_two_loops_share_one_refresh(
    mock: MockServer, tokens: TokenServer, key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    # lockgate.completion runs on the SDK's background loop, lockgate.acompletion on this
    # one; both use the default client, hence one token cache.
    tokens.delay = 0.3
    path = _write(tmp_path, service_account_info(key, tokens.token_uri))
    options: dict[str, Any] = {"api_base": mock.url, "vertex_credentials": path}
    try:
        await asyncio.gather(
            asyncio.to_thread(lockgate.completion, GEMINI, USER, **options),
            lockgate.acompletion(GEMINI, USER, **options),
            asyncio.to_thread(lockgate.completion, CLAUDE, USER, max_tokens=20, **options),
        )
    finally:
        await lockgate.aclose()
    assert tokens.requests == 1
    assert _bearers(mock) == ["Bearer ya29.test-1"] * 3
