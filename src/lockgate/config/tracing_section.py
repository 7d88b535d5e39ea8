"""OpenTelemetry tracing settings: switched on the LiteLLM way, aimed the OTel way.

On: ``litellm_settings.callbacks`` (or ``success_callback`` / ``failure_callback``) naming
``otel``, or ``lockgate_settings.tracing.enabled: true`` (which also turns it off when
false). Where spans go: ``lockgate_settings.tracing`` first, then the standard variables
(``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``, ``OTEL_EXPORTER_OTLP_ENDPOINT``,
``OTEL_EXPORTER_OTLP_[TRACES_]HEADERS``, ``OTEL_SERVICE_NAME``), then LiteLLM's
(``OTEL_ENDPOINT``, ``OTEL_HEADERS``, ``OTEL_EXPORTER``). The values come from the process
environment or the file's ``environment_variables``: the operator's, never a request's.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final
from urllib.parse import unquote, urlsplit

from lockgate.config.errors import ConfigError
from lockgate.config.section_reader import SectionReader
from lockgate.config.settings_model import LitellmSettings, TracingSettings
from lockgate.config.values import Context, as_map, as_secret, as_str, error_at
from lockgate.config.yaml_nodes import YNode, child_path
from lockgate.security import Secret

__all__ = ["TRACING_KEYS", "read_tracing"]

TRACING_KEYS: Final = frozenset({"enabled", "endpoint", "headers", "service_name", "exporter"})
CALLBACK_NAMES: Final = frozenset({"otel", "opentelemetry"})
EXPORTERS: Final = frozenset({"otlp_http", "console"})
INSTALL_HINT: Final = "pip install 'lockgate[otel]'"
_DEFAULT_ENDPOINT: Final = "http://localhost:4318/v1/traces"  # the OTLP/HTTP default
_TRACES_PATH: Final = "/v1/traces"


def read_tracing(
    node: YNode | None, path: str, ctx: Context, litellm: LitellmSettings
) -> TracingSettings:
    r = SectionReader(node, path, ctx, implemented=TRACING_KEYS)
    named = {
        name.lower()
        for name in (*litellm.callbacks, *litellm.success_callback, *litellm.failure_callback)
    }
    enabled = r.flag("enabled", bool(named & CALLBACK_NAMES))
    endpoint = r.opt("endpoint", _url)
    headers = r.get("headers", _headers, None)
    service_name = r.opt_str("service_name")
    exporter = r.opt("exporter", _exporter)
    r.finish()
    if not enabled:  # the variables may serve other programs: not read, not checked
        return TracingSettings()
    env = ctx.env
    settings = TracingSettings(
        enabled=True,
        endpoint=endpoint or _endpoint_from_env(env),
        headers=headers if headers is not None else _headers_from_env(env),
        service_name=service_name or env.get("OTEL_SERVICE_NAME", "").strip() or "lockgate",
        exporter=exporter or _exporter_from_env(env),
    )
    missing = _missing_module(settings.exporter)
    if missing is not None:
        asked_by = r.key_path("enabled") if r.line is not None else "litellm_settings.callbacks"
        raise ConfigError(
            f"tracing (otel) is on but {missing} is not installed: {INSTALL_HINT}",
            source=r.source,
            path=asked_by,
        )
    return settings


def _missing_module(exporter: str) -> str | None:
    """The first module of the ``otel`` extra that cannot be found (nothing is run)."""
    needed = ["opentelemetry.sdk"]
    if exporter == "otlp_http":
        needed.append("opentelemetry.exporter.otlp.proto.http")
    for name in needed:
        try:
            if importlib.util.find_spec(name) is None:
                return name
        except (ImportError, ValueError):
            return name
    return None


def _url(node: YNode, path: str, ctx: Context) -> str:
    text = as_str(node, path, ctx).strip()
    problem = _url_problem(text)
    if problem:
        raise error_at(node, path, problem)
    return text


def _url_problem(text: str) -> str | None:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "expected an http(s) URL such as http://collector:4318"
    if parts.username or parts.password:
        return "credentials go in headers, not in the URL"
    return None


def _exporter(node: YNode, path: str, ctx: Context) -> str:
    value = as_str(node, path, ctx).strip().lower()
    if value not in EXPORTERS:
        raise error_at(node, path, f"expected one of {', '.join(sorted(EXPORTERS))}")
    return value


def _headers(node: YNode, path: str, ctx: Context) -> MappingProxyType[str, Secret]:
    entries = as_map(node, path).entries
    return MappingProxyType(
        {
            name.lower(): as_secret(entry.value, child_path(path, name), ctx)
            for name, entry in entries.items()
        }
    )


def _endpoint_from_env(env: Mapping[str, str]) -> str:
    for name, append in (
        ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", False),  # used as is (the spec)
        ("OTEL_EXPORTER_OTLP_ENDPOINT", True),  # the base: /v1/traces is appended
        ("OTEL_ENDPOINT", True),  # LiteLLM's name
    ):
        value = env.get(name, "").strip()
        if not value:
            continue
        problem = _url_problem(value)
        if problem:
            raise ConfigError(f"environment variable {name}: {problem}")
        if append and not value.rstrip("/").endswith(_TRACES_PATH):
            value = value.rstrip("/") + _TRACES_PATH
        return value
    return _DEFAULT_ENDPOINT


def _headers_from_env(env: Mapping[str, str]) -> MappingProxyType[str, Secret]:
    """``k=v,k2=v2`` with URL-encoded values (the OTel format); they are often API keys."""
    for name in ("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_HEADERS"):
        value = env.get(name, "").strip()
        if not value:
            continue
        headers: dict[str, Secret] = {}
        for item in value.split(","):
            key, sep, raw = item.partition("=")
            if not sep or not key.strip():
                raise ConfigError(f"environment variable {name}: expected key=value pairs")
            headers[unquote(key.strip()).lower()] = Secret(unquote(raw.strip()))
        return MappingProxyType(headers)
    return MappingProxyType({})


def _exporter_from_env(env: Mapping[str, str]) -> str:
    protocol = env.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or env.get(
        "OTEL_EXPORTER_OTLP_PROTOCOL"
    )
    if protocol and protocol.strip() != "http/protobuf":
        raise ConfigError(
            f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol.strip()!r}: lockgate exports traces over "
            "OTLP/HTTP (http/protobuf) only"
        )
    legacy = env.get("OTEL_EXPORTER", "").strip().lower()  # LiteLLM: otlp_http, console, ...
    if legacy and legacy not in EXPORTERS:
        raise ConfigError(
            f"OTEL_EXPORTER={legacy!r}: expected one of {', '.join(sorted(EXPORTERS))}"
        )
    return legacy or "otlp_http"
