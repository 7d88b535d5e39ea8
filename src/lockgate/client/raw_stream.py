"""An upstream stream passed on byte for byte (forwarded routes such as /v1/responses)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lockgate.transport.http_client import StreamingResponse

__all__ = ["RawStream"]


class RawStream:
    def __init__(self, response: StreamingResponse, exits: AsyncExitStack) -> None:
        self._response = response
        self._exits = exits
        self.status = response.status
        self.content_type = response.headers.get("content-type", "text/event-stream")
        self._hidden_params: dict[str, Any] = {}

    async def iter_bytes(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.iter_bytes():
                yield chunk
        finally:
            await self._exits.aclose()

    async def aclose(self) -> None:
        await self._exits.aclose()
