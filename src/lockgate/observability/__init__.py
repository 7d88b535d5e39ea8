"""Metrics and structured logs."""

from lockgate.observability.access_log import AccessLog
from lockgate.observability.metrics import CONTENT_TYPE_LATEST, GatewayMetrics, RequestOutcome

__all__ = ["CONTENT_TYPE_LATEST", "AccessLog", "GatewayMetrics", "RequestOutcome"]
