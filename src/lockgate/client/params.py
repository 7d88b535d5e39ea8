"""Split a call's keyword arguments into provider parameters and lockgate's own options."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lockgate.client.credentials import CLOUD_OPTIONS
from lockgate.errors import UnsupportedParamsError
from lockgate.providers.anthropic_extensions import ANTHROPIC_PARAMS
from lockgate.providers.openai_params import OPENAI_CHAT_PARAMS

__all__ = ["CALL_OPTIONS", "PROTOCOL_SCOPED_PARAMS", "check_supported", "split_options"]

# Keyword arguments that steer lockgate itself and are never sent upstream.
CALL_OPTIONS: frozenset[str] = (
    frozenset(
        {
            "api_key",
            "api_base",
            "base_url",
            "api_version",
            "organization",
            "extra_headers",
            "timeout",
            "request_timeout",
            "num_retries",
            "max_retries",
            "fallbacks",
            "drop_params",
            "additional_drop_params",
            "droppable_params",
            "mock_response",
            "metadata_lockgate",
            "custom_llm_provider",
        }
    )
    | CLOUD_OPTIONS
)  # cloud placement and credentials (aws_region_name, azure_ad_token, ...)

# Parameters meant for one protocol only: kept for an adapter whose ``supported_params``
# lists them, silently left out for every other one (never an error: a model group may mix
# providers, and the call was valid for the protocol it was written for).
PROTOCOL_SCOPED_PARAMS: frozenset[str] = frozenset({ANTHROPIC_PARAMS})
# The names check_supported may leave out when the adapter does not list them.
_CHECKED: frozenset[str] = OPENAI_CHAT_PARAMS | PROTOCOL_SCOPED_PARAMS


def split_options(kwargs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(provider params, lockgate options). None values are treated as not given."""
    params: dict[str, Any] = {}
    options: dict[str, Any] = {}
    for name, value in kwargs.items():
        if value is None:
            continue
        (options if name in CALL_OPTIONS else params)[name] = value
    return params, options


def check_supported(
    params: dict[str, Any],
    supported: frozenset[str],
    *,
    drop_params: bool,
    additional_drop: frozenset[str],
    provider: str,
    model: str,
    droppable: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Drop or refuse OpenAI parameters the provider does not accept.

    Parameters outside OpenAI's vocabulary are passed through untouched (provider-specific
    options), except :data:`PROTOCOL_SCOPED_PARAMS`, which only an adapter that lists them
    receives; ``additional_drop_params`` removes any name; ``droppable`` names (the
    ``droppable_params`` option: a parameter the caller derived itself, such as
    ``/v1/messages``' ``reasoning_effort`` from ``thinking``) are dropped as with
    ``drop_params`` rather than refused. Returns ``params`` itself when every one is kept.
    """
    if additional_drop.isdisjoint(params) and supported.issuperset(_CHECKED.intersection(params)):
        return params  # the usual case: nothing to leave out, no copy
    kept: dict[str, Any] = {}
    refused: list[str] = []
    for name, value in params.items():
        if name in additional_drop:
            continue
        if name in PROTOCOL_SCOPED_PARAMS and name not in supported:
            continue
        if name in OPENAI_CHAT_PARAMS and name not in supported:
            if drop_params or name in droppable:
                continue
            refused.append(name)
            continue
        kept[name] = value
    if refused:
        raise UnsupportedParamsError(
            f"{provider} does not support parameter(s) {', '.join(sorted(refused))}; "
            "pass drop_params=True to drop them",
            provider=provider,
            model=model,
            param=refused[0],
        )
    return kept
