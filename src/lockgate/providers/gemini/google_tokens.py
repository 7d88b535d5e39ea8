"""Vertex AI access tokens minted from Google credentials: cached, refreshed early, shared.

One cache per :class:`~lockgate.client.Client` (it lives with the client's transport, not in
a global). Per credential source:

* a token is reused until ``margin`` seconds (5 minutes) before it expires (half its
  lifetime for a short-lived one);
* inside that window calls keep the current token while one refresh runs in the background;
  after expiry they wait for it;
* one refresh at a time, however many calls arrive together and on however many event
  loops: they all await the same future;
* minting (reading the file, signing the JWT, google-auth's synchronous refresh) runs in a
  worker thread; its HTTP goes back to the loop through lockgate's transport
  (:mod:`~lockgate.providers.gemini.google_auth_bridge`), so the loop never blocks.

google-auth is imported on the first mint; without it the call fails with the install hint.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import importlib
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lockgate.errors import AuthenticationError, LockgateError
from lockgate.providers.call import Credentials
from lockgate.providers.gemini.google_credentials import (
    CredentialSource,
    credential_source,
    read_key,
)
from lockgate.security.secret import Secret

if TYPE_CHECKING:
    from lockgate.transport.http_client import HttpTransport

__all__ = ["INSTALL_HINT", "REFRESH_MARGIN", "GoogleTokens", "Minted"]

INSTALL_HINT = (
    "Google credentials for Vertex AI (vertex_credentials, Application Default Credentials) "
    "need google-auth: pip install 'lockgate[vertex]'; or pass an OAuth access token as "
    "api_key (VERTEXAI_ACCESS_TOKEN)"
)
REFRESH_MARGIN = 300.0
_NO_EXPIRY_LIFETIME = 600.0  # a token without expires_in: assume ten minutes
_MAX_SOURCES = 256


@dataclass(frozen=True, slots=True)
class Minted:
    token: Secret
    project_id: str | None  # the service account's project_id
    refresh_at: float  # monotonic clock
    expires_at: float


@dataclass(slots=True)
class _Slot:
    minted: Minted | None = None
    pending: concurrent.futures.Future[Minted] | None = None


class GoogleTokens:
    """Thread-safe: its state is guarded by a lock held only for dictionary updates."""

    def __init__(
        self,
        transport: HttpTransport,
        *,
        margin: float = REFRESH_MARGIN,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._transport = transport
        self._margin = margin
        self._clock = clock
        self._mutex = threading.Lock()
        self._slots: dict[str, _Slot] = {}

    def __repr__(self) -> str:
        return f"GoogleTokens({len(self._slots)} credential source(s))"

    async def authorize(
        self, credentials: Credentials, vertex_credentials: object, env: Mapping[str, str]
    ) -> Credentials:
        """``credentials`` with a minted bearer token, and the service account's project
        when the call names none."""
        minted = await self.token(credential_source(vertex_credentials, env))
        return dataclasses.replace(
            credentials,
            api_key=minted.token,
            vertex_project=credentials.vertex_project or minted.project_id,
        )

    async def token(self, source: CredentialSource) -> Minted:
        now = self._clock()
        with self._mutex:
            slot = self._slots.get(source.key)
            if slot is None:
                self._forget_idle()
                slot = self._slots[source.key] = _Slot()
            current = slot.minted
            if current is not None and now < current.refresh_at:
                return current
            pending = slot.pending
            start = pending is None
            if pending is None:
                pending = slot.pending = concurrent.futures.Future()
                # Running already: a waiter that is cancelled cannot cancel it for the others.
                pending.set_running_or_notify_cancel()
        if start:
            loop = asyncio.get_running_loop()
            loop.run_in_executor(None, self._refresh, source, slot, pending, loop)
        if current is not None and now < current.expires_at:
            return current  # still valid: the refresh replaces it in the background
        return await asyncio.wrap_future(pending)

    def _forget_idle(self) -> None:
        if len(self._slots) < _MAX_SOURCES:
            return
        for key in [k for k, s in self._slots.items() if s.pending is None]:
            del self._slots[key]

    def _refresh(
        self,
        source: CredentialSource,
        slot: _Slot,
        pending: concurrent.futures.Future[Minted],
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        """Worker thread: mint, store, and settle the shared future."""
        try:
            minted = self._mint(source, loop)
        except BaseException as exc:  # every waiter gets it; the next call tries again
            with self._mutex:
                slot.pending = None
            pending.set_exception(exc)
            return
        with self._mutex:
            slot.minted = minted
            slot.pending = None
        pending.set_result(minted)

    def _mint(self, source: CredentialSource, loop: asyncio.AbstractEventLoop) -> Minted:
        try:
            bridge = importlib.import_module("lockgate.providers.gemini.google_auth_bridge")
        except ImportError:
            raise AuthenticationError(INSTALL_HINT, provider="vertex_ai", retryable=False) from None
        key = read_key(source)
        try:
            token, lifetime = bridge.mint(key, self._transport, loop)
        except LockgateError:
            raise
        except Exception as exc:
            # Not str(exc): google-auth's messages may quote the credential document.
            raise AuthenticationError(
                f"minting a Vertex AI access token failed ({type(exc).__name__})",
                provider="vertex_ai",
                retryable=False,
            ) from None
        if lifetime is None:
            lifetime = _NO_EXPIRY_LIFETIME
        now = self._clock()
        early = max(lifetime - self._margin, lifetime / 2)
        return Minted(Secret(token), key.project_id, now + early, now + lifetime)
