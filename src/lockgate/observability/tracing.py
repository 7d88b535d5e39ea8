"""OpenTelemetry traces (the ``otel`` extra): the tracer provider of one gateway process.

Imported only when tracing is on (``lockgate.gateway.factory``), so a gateway without it
never loads opentelemetry. Spans leave in batches from the SDK's own thread (bounded queue:
when the collector is slow, spans are dropped, requests never wait) and the rest are
flushed at shutdown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Final

from lockgate._version import __version__

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Tracer

    from lockgate.config.settings_model import TracingSettings

__all__ = ["INSTALL_HINT", "Tracing", "TracingUnavailableError", "build_tracing"]

INSTALL_HINT: Final = "pip install 'lockgate[otel]'"
_SCOPE: Final = "lockgate"


class TracingUnavailableError(RuntimeError):
    """Tracing is switched on but the ``otel`` extra is not installed."""


class Tracing:
    """A tracer provider owned by the app (never the process-wide global one)."""

    def __init__(self, provider: TracerProvider) -> None:
        self.provider = provider
        self.tracer: Tracer = provider.get_tracer(_SCOPE, __version__)

    def shutdown(self) -> None:
        """Export what is queued and stop the export thread (blocking: call it off-loop)."""
        self.provider.shutdown()


def build_tracing(
    settings: TracingSettings, processors: Iterable[SpanProcessor] | None = None
) -> Tracing:
    """The provider for ``settings``: batched OTLP/HTTP export (or the console exporter),
    unless ``processors`` are given (tests pass an in-memory exporter)."""
    try:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
        from opentelemetry.sdk.trace.sampling import ALWAYS_ON, ParentBased
    except ImportError as exc:
        raise TracingUnavailableError(
            f"tracing is on (callbacks: [otel]) but OpenTelemetry is not installed: "
            f"{INSTALL_HINT} ({exc.name} is missing)"
        ) from None
    resource = Resource({"service.name": settings.service_name, "service.version": __version__})
    # Sampling: always, unless an inbound traceparent says the caller does not sample.
    provider = TracerProvider(sampler=ParentBased(ALWAYS_ON), resource=resource)
    if processors is None:
        processors = [BatchSpanProcessor(_exporter(settings))]
    for processor in processors:
        provider.add_span_processor(processor)
    return Tracing(provider)


def _exporter(settings: TracingSettings) -> SpanExporter:
    if settings.exporter == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError as exc:
        raise TracingUnavailableError(
            f"tracing is on but the OTLP/HTTP exporter is not installed: {INSTALL_HINT} "
            f"({exc.name} is missing)"
        ) from None
    return OTLPSpanExporter(
        endpoint=settings.endpoint, headers=_revealed(settings.headers), timeout=10.0
    )


def _revealed(headers: Mapping[str, object]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in headers.items():
        reveal = getattr(value, "reveal", None)
        out[name] = str(reveal() if callable(reveal) else value)
    return out
