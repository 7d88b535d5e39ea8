"""Clients never choose destinations or credentials.

A body key, header or query parameter that names an upstream address or credential is
refused with 400 before anything else happens: the gateway's configuration alone decides
where a request goes and which key it carries.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Mapping
from typing import Any, Final

from lockgate.errors import BadRequestError
from lockgate.providers.openai_params import (
    OPENAI_CHAT_PARAMS,
    OPENAI_EMBEDDING_PARAMS,
    OPENAI_TEXT_COMPLETION_PARAMS,
)

__all__ = ["reject_destination_overrides"]

_FORBIDDEN_NAMES = frozenset(
    {
        "api_base",
        "base_url",
        "api_key",
        "api_version",
        "api_type",
        "azure_ad_token",
        "azure_ad_token_provider",
        "azure_endpoint",
        "organization",
        "custom_llm_provider",
        "extra_headers",
        "user_config",
        "vertex_credentials",
        "vertex_project",
        "vertex_location",
        "vertex_ai_project",
        "vertex_ai_location",
        "region_name",
        "proxy",
        "proxies",
        "endpoint",
        "endpoint_url",
    }
)
_FORBIDDEN_PREFIXES = ("aws_", "vertex_")
# Header names that carry the caller's own gateway key (read by auth, never forwarded).
_AUTH_HEADERS = frozenset({"api_key", "x_api_key"})


def _normalise(name: str) -> str:
    return name.strip().lower().replace("-", "_")


def _is_forbidden(name: str) -> bool:
    return name in _FORBIDDEN_NAMES or name.startswith(_FORBIDDEN_PREFIXES)


# Answers are memoised per name, as requests repeat the same few body keys and header
# names: a pure function of the name, for names of at most this many characters (so the
# memo stays small whatever the clients send).
_MEMO_NAME_CHARS: Final = 64


@functools.lru_cache(maxsize=1024)
def _forbidden_key_memo(key: str) -> bool:
    return _is_forbidden(_normalise(key))


@functools.lru_cache(maxsize=1024)
def _forbidden_header_memo(header: str) -> bool:
    return _header_forbidden(header)


def _header_forbidden(header: str) -> bool:
    name = _normalise(header)
    if name in _AUTH_HEADERS:
        return False
    for prefix in ("x_litellm_", "x_lockgate_", "x_"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    if name in _FORBIDDEN_NAMES and name not in ("organization", "endpoint"):
        return True
    return name.startswith("aws_") or name == "vertex_credentials"


# Names that are allowed, checked once at import: a request whose body keys (or header
# names) are all among them, the usual case, is cleared by one set operation.
_PLAIN_BODY_KEYS: Final = frozenset(
    key
    for key in (
        OPENAI_CHAT_PARAMS
        | OPENAI_EMBEDDING_PARAMS
        | OPENAI_TEXT_COMPLETION_PARAMS
        | {"model", "messages", "stream", "prompt", "input"}
    )
    if not _is_forbidden(_normalise(key))
)
_PLAIN_HEADERS: Final = frozenset(
    name
    for name in (
        "host",
        "authorization",
        "content-type",
        "content-length",
        "accept",
        "accept-encoding",
        "accept-language",
        "connection",
        "user-agent",
        "x-request-id",
        "x-api-key",
        "api-key",
        "anthropic-version",
        "anthropic-beta",
        "openai-beta",
        "x-stainless-arch",
        "x-stainless-async",
        "x-stainless-lang",
        "x-stainless-os",
        "x-stainless-package-version",
        "x-stainless-raw-response",
        "x-stainless-read-timeout",
        "x-stainless-retry-count",
        "x-stainless-runtime",
        "x-stainless-runtime-version",
        "x-stainless-timeout",
    )
    if not _header_forbidden(name)
)


def _body_violation(body: Mapping[str, Any]) -> str | None:
    if _PLAIN_BODY_KEYS.issuperset(body):
        return None  # nested extra_body / litellm_params are not among them
    for key in body:
        if (
            _forbidden_key_memo(key)
            if len(key) <= _MEMO_NAME_CHARS
            else _is_forbidden(_normalise(key))
        ):
            return key
    for nested in ("extra_body", "litellm_params"):
        inner = body.get(nested)
        if isinstance(inner, Mapping):
            found = _body_violation(inner)
            if found is not None:
                return f"{nested}.{found}"
    return None


def _header_violation(headers: Collection[str]) -> str | None:
    if _PLAIN_HEADERS.issuperset(headers):
        return None
    for header in headers:
        if (
            _forbidden_header_memo(header)
            if len(header) <= _MEMO_NAME_CHARS
            else _header_forbidden(header)
        ):
            return header
    return None


def reject_destination_overrides(
    body: Mapping[str, Any] | None, headers: Collection[str], query_names: Iterable[str]
) -> None:
    """Raise BadRequestError naming the first field that tries to steer the upstream call."""
    if body is not None:
        found = _body_violation(body)
        if found is not None:
            raise BadRequestError(
                f"'{found}' cannot be set by a client: upstream destinations and credentials "
                "come from the gateway's configuration",
                param=found,
            )
    header = _header_violation(headers)
    if header is not None:
        raise BadRequestError(
            f"header '{header}' cannot be set by a client: upstream destinations and "
            "credentials come from the gateway's configuration",
            param=header,
        )
    for name in query_names:
        if _is_forbidden(_normalise(name)):
            raise BadRequestError(f"query parameter '{name}' cannot be set by a client", param=name)
