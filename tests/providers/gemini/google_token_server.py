"""A loopback stand-in for Google's OAuth 2.0 token endpoint (``oauth2.googleapis.com/token``).

It speaks the two grants google-auth sends for the credentials lockgate reads:

* ``urn:ietf:params:oauth:grant-type:jwt-bearer`` (a service account): the ``assertion`` is
  an RS256 JWT whose signature is verified with the account's public key, and whose claims
  must name the account (``iss``), Google's token endpoint (``aud``), the cloud-platform scope and a
  lifetime of at most an hour;
* ``refresh_token`` (an ``authorized_user``, gcloud's ADC file): client id, secret and
  refresh token must match.

Success is Google's ``{"access_token", "expires_in", "token_type": "Bearer"}``; a failure is
its ``{"error", "error_description"}`` with 400, as the real endpoint answers.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def new_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_key_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def service_account_info(
    key: rsa.RSAPrivateKey, token_uri: str, project_id: str | None = "sa-project"
) -> dict[str, Any]:
    info: dict[str, Any] = {
        "type": "service_account",
        "private_key_id": "k1d-0123456789",
        "private_key": private_key_pem(key),
        "client_email": "lockgate-test@sa-project.iam.gserviceaccount.com",
        "client_id": "1234567890",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
    }
    if project_id is not None:
        info["project_id"] = project_id
    return info


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


@dataclass
class TokenServer:
    """Issued tokens are ``ya29.test-<n>``; ``grants`` records each accepted request."""

    public_key: rsa.RSAPublicKey
    client_email: str = "lockgate-test@sa-project.iam.gserviceaccount.com"
    expires_in: int = 3600
    delay: float = 0.0
    user: dict[str, str] = field(
        default_factory=lambda: {
            "client_id": "user-client.apps.googleusercontent.com",
            "client_secret": "user-client-secret",
            "refresh_token": "1//user-refresh-token",
        }
    )
    url: str = ""
    requests: int = 0
    grants: list[str] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)

    @property
    def token_uri(self) -> str:
        return self.url + "/token"

    async def handle(self, request: web.Request) -> web.Response:
        self.requests += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if request.content_type != "application/x-www-form-urlencoded":
            return _error("invalid_request", "Bad content type")
        form = await request.post()
        grant = str(form.get("grant_type", ""))
        if grant == JWT_BEARER:
            problem = self._check_assertion(str(form.get("assertion", "")))
        elif grant == "refresh_token":
            problem = self._check_refresh(form)
        else:
            problem = "unsupported_grant_type"
        if problem is not None:
            return _error("invalid_grant", problem)
        self.grants.append(grant)
        token = f"ya29.test-{len(self.grants)}"
        body = {"access_token": token, "expires_in": self.expires_in, "token_type": "Bearer"}
        return web.json_response(body)

    def _check_assertion(self, assertion: str) -> str | None:
        try:
            header_b64, payload_b64, signature_b64 = assertion.split(".")
            header = json.loads(_b64decode(header_b64))
            claims = json.loads(_b64decode(payload_b64))
            signature = _b64decode(signature_b64)
        except ValueError:
            return "Invalid JWT"
        if header.get("alg") != "RS256" or header.get("kid") != "k1d-0123456789":
            return "Invalid JWT header"
        try:
            self.public_key.verify(
                signature,
                f"{header_b64}.{payload_b64}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except InvalidSignature:
            return "Invalid JWT Signature."
        now = time.time()
        if claims.get("iss") != self.client_email:
            return "Invalid issuer"
        # Google's endpoint is the audience wherever the request is sent (google-auth does so).
        if claims.get("aud") != GOOGLE_TOKEN_URI:
            return "Invalid audience"
        if CLOUD_PLATFORM not in str(claims.get("scope", "")).split():
            return "Invalid scope"
        iat, exp = claims.get("iat"), claims.get("exp")
        if not isinstance(iat, int) or not isinstance(exp, int):
            return "Missing iat/exp"
        if not (iat - 60 <= now <= exp) or exp - iat > 3600:
            return "Invalid JWT: Token must be a short-lived token (60 minutes)"
        self.claims.append(claims)
        return None

    def _check_refresh(self, form: Any) -> str | None:
        for name, expected in self.user.items():
            if form.get(name) != expected:
                return f"Bad {name}"
        return None


def _error(code: str, description: str) -> web.Response:
    return web.json_response({"error": code, "error_description": description}, status=400)


@asynccontextmanager
async def token_server(
    public_key: rsa.RSAPublicKey, host: str = "127.0.0.1", **options: Any
) -> AsyncIterator[TokenServer]:
    """Listening on ``host`` (another loopback address than the mock's keeps the egress
    allowances apart)."""
    server = TokenServer(public_key, **options)
    app = web.Application()
    app.router.add_post("/token", server.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, host, 0)
    await site.start()
    port = runner.addresses[0][1]
    server.url = f"http://{host}:{port}"
    try:
        yield server
    finally:
        await runner.cleanup()
