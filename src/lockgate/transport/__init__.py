"""Transport: the only layer that opens connections (egress policy, pooling, framing)."""

from lockgate.transport.egress import DEFAULT_DENIED_NETWORKS, EgressPolicy
from lockgate.transport.framing import NDJSONDecoder, SSEDecoder, StreamEvent
from lockgate.transport.http_client import HttpTransport, StreamingResponse
from lockgate.transport.messages import Timeouts, UpstreamRequest, UpstreamResponse

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
