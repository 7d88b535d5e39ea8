"""Transport: the only layer that opens connections (egress policy, pooling, framing).

``HttpTransport`` is imported on first use: it loads httptools and the ssl module, which
``import lockgate`` should not pay for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lockgate.transport.egress import DEFAULT_DENIED_NETWORKS, EgressPolicy
from lockgate.transport.framing import NDJSONDecoder, SSEDecoder, StreamEvent
from lockgate.transport.messages import Timeouts, UpstreamRequest, UpstreamResponse

if TYPE_CHECKING:
    from lockgate.transport.http_client import HttpTransport, StreamingResponse

__all__ = [
    "DEFAULT_DENIED_NETWORKS",
    "EgressPolicy",
    "HttpTransport",
    "NDJSONDecoder",
    "SSEDecoder",
    "StreamEvent",
    "StreamingResponse",
    "Timeouts",
    "UpstreamRequest",
    "UpstreamResponse",
]


def __getattr__(name: str) -> Any:
    if name in ("HttpTransport", "StreamingResponse"):
        from lockgate.transport import http_client

        return getattr(http_client, name)
    raise AttributeError(name)
