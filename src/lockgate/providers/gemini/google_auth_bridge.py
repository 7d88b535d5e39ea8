"""Minting an access token with google-auth, its HTTP served by lockgate's own transport.

google-auth refreshes credentials synchronously through a ``google.auth.transport.Request``;
its default one uses ``requests`` and would reach any ``token_uri`` a credential file names.
This one hands each request to :class:`~lockgate.transport.http_client.HttpTransport` on the
caller's event loop, so a token exchange passes the same egress policy (host allow-list,
resolved-address check, no redirects, bounded body) as every provider call. It runs in a
worker thread, which waits while the loop does the I/O.

Importing this module imports google-auth (the optional ``vertex`` extra): it is imported
only when a token is minted, by :mod:`~lockgate.providers.gemini.google_tokens`.
"""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Mapping
from typing import Any

from google.auth import exceptions as google_exceptions
from google.auth import transport as google_transport
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account

from lockgate.errors import APIConnectionError, AuthenticationError, LockgateError
from lockgate.providers.gemini.google_credentials import GoogleKey
from lockgate.transport.http_client import HttpTransport
from lockgate.transport.messages import Timeouts, UpstreamRequest, UpstreamResponse

__all__ = ["CheckedRequest", "mint"]

SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)
_DEFAULT_TIMEOUT = 30.0
_DETAIL_LIMIT = 200


class _Response(google_transport.Response):
    def __init__(self, response: UpstreamResponse) -> None:
        self._response = response

    @property
    def status(self) -> int:
        return self._response.status

    @property
    def headers(self) -> Mapping[str, str]:
        return dict(self._response.headers)

    @property
    def data(self) -> bytes:
        return self._response.body


class CheckedRequest(google_transport.Request):
    """Call from a worker thread only, never from the loop itself (it would wait on itself)."""

    def __init__(self, transport: HttpTransport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> _Response:
        if isinstance(body, str):
            body = body.encode()
        request = UpstreamRequest(method, url, dict(headers or {}), body)
        limit = timeout if isinstance(timeout, int | float) and timeout > 0 else _DEFAULT_TIMEOUT
        # Raises lockgate's own errors (EgressDeniedError before any connection,
        # APIConnectionError, APITimeoutError); google-auth lets them through.
        future = asyncio.run_coroutine_threadsafe(
            self._transport.send(request, Timeouts.from_total(limit)), self._loop
        )
        return _Response(future.result())


def _fail(message: str, *, retryable: bool = False) -> AuthenticationError:
    return AuthenticationError(message, provider="vertex_ai", retryable=retryable)


def _credentials(key: GoogleKey) -> Any:
    info = key.document()
    try:
        # google-auth's factories are unannotated.
        if key.kind == "service_account":
            return service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
                info, scopes=SCOPES
            )
        user = user_credentials.Credentials.from_authorized_user_info(  # type: ignore[no-untyped-call]
            info, scopes=SCOPES
        )
        # google-auth sends user refreshes to Google's endpoint whatever the file says; a
        # token_uri in the file is honoured as for a service account (the egress policy
        # still decides whether it may be reached).
        token_uri = info.get("token_uri")
        return user.with_token_uri(token_uri) if isinstance(token_uri, str) else user
    except (ValueError, TypeError):
        # The message may quote the document: say only what kind of thing is wrong.
        raise _fail(f"the {key.kind} credentials cannot be used (malformed key)") from None


def mint(
    key: GoogleKey, transport: HttpTransport, loop: asyncio.AbstractEventLoop
) -> tuple[str, float | None]:
    """A new access token and its lifetime in seconds (None: not given). Blocking."""
    credentials = _credentials(key)
    try:
        credentials.refresh(CheckedRequest(transport, loop))
    except LockgateError:
        raise
    except google_exceptions.RefreshError as exc:
        detail = str(exc.args[0]) if exc.args else "refused"
        raise _fail(
            f"Google refused the Vertex AI token request: {detail[:_DETAIL_LIMIT]}",
            retryable=bool(getattr(exc, "retryable", False)),
        ) from None
    except google_exceptions.TransportError:
        raise APIConnectionError("the Google token request failed to connect") from None
    except (ValueError, TypeError):
        raise _fail(f"the {key.kind} credentials cannot be used (malformed key)") from None
    token = credentials.token
    if not isinstance(token, str) or not token:
        raise _fail("the Google token endpoint answered without an access token")
    expiry = credentials.expiry
    if not isinstance(expiry, datetime.datetime):
        return token, None
    now = datetime.datetime.now(datetime.UTC)
    if expiry.tzinfo is None:  # google-auth keeps naive UTC times
        now = now.replace(tzinfo=None)
    return token, (expiry - now).total_seconds()
