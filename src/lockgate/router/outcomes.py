"""What a routed call reports: the hidden params naming its deployment, and the figures
(tokens, latency) its attempt is booked with."""

from __future__ import annotations

from typing import Any

from lockgate.client.raw_stream import RawStream
from lockgate.router.execution import Served
from lockgate.router.state.base import LatencyUpdate
from lockgate.router.stream import OpenedStream
from lockgate.transport.messages import UpstreamResponse
from lockgate.types import ChatCompletion, EmbeddingResponse, TextCompletion

__all__ = [
    "default_latency_sample",
    "hidden_params",
    "note_hidden_params",
    "passthrough_measure",
    "stream_measure",
    "unary_measure",
]


def default_latency_sample(seconds: float) -> LatencyUpdate:
    # Latency is kept whatever the strategy (metrics, a later switch of strategy).
    return LatencyUpdate(seconds, 2.0 / 11.0, 3600.0)


def unary_measure(
    result: ChatCompletion | EmbeddingResponse | TextCompletion, elapsed: float
) -> tuple[int, float]:
    usage = result.usage
    return (usage.total_tokens if usage is not None else 0), elapsed


def stream_measure(result: OpenedStream, elapsed: float) -> None:
    return None  # settled when the stream ends


def passthrough_measure(result: UpstreamResponse | RawStream, elapsed: float) -> tuple[int, float]:
    # Forwarded bodies are not parsed: no token count; a raw stream is settled once its
    # headers have arrived (its time to first byte).
    return 0, elapsed


def hidden_params(served: Served[Any], model: str) -> dict[str, Any]:
    hidden: dict[str, Any] = {}
    note_hidden_params(hidden, served, model)
    return hidden


def note_hidden_params(hidden: dict[str, Any], served: Served[Any], model: str) -> None:
    """Write the hidden params naming the deployment into ``hidden`` (a response's own)."""
    deployment = served.deployment
    route = served.route
    hidden["model_id"] = deployment.id
    hidden["deployment"] = deployment.model_for(route.requested)
    hidden["model_group"] = route.group.name
    hidden["api_base"] = deployment.api_base
    hidden["requested_model"] = model
    hidden["attempted_retries"] = served.attempts - 1
    hidden["attempted_fallbacks"] = served.fallbacks
