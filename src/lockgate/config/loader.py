"""Entry points: :func:`load_config` (a file) and :func:`parse_config` (a string).

``load_config`` is the only function in lockgate that reads a config file or the process
environment; everything below it receives the text and an environment mapping.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Final

from lockgate.config.deployments import read_model_list
from lockgate.config.environment import read_environment, with_file_environment
from lockgate.config.errors import ConfigError
from lockgate.config.general_section import read_general_settings
from lockgate.config.includes import IncludeReader, apply_includes
from lockgate.config.litellm_keys import REFUSED, TOP_LEVEL
from lockgate.config.litellm_section import read_litellm_settings
from lockgate.config.lockgate_section import read_lockgate_settings
from lockgate.config.model import Config, DeploymentConfig
from lockgate.config.router_section import read_router_settings
from lockgate.config.section_reader import SectionReader
from lockgate.config.values import Context, as_map
from lockgate.config.yaml_nodes import YMap, YNode, YScalar, compose_document, index_path

__all__ = ["MAX_CONFIG_BYTES", "TOP_IMPLEMENTED", "load_config", "parse_config"]

MAX_CONFIG_BYTES: Final = 8 * 1024 * 1024

TOP_IMPLEMENTED: Final = frozenset(
    {
        "model_list",
        "router_settings",
        "litellm_settings",
        "settings",
        "general_settings",
        "environment_variables",
        "lockgate_settings",
        "include",
    }
)


def load_config(path: str | Path, env: Mapping[str, str] | None = None) -> Config:
    """Read and validate a LiteLLM-style YAML config file.

    ``env`` is the environment ``os.environ/NAME`` references read (default: ``os.environ``).
    Raises :class:`ConfigError` naming the file, line and key path of the first problem.
    """
    file = Path(path)
    text = _read_text(file, str(file), None)
    base = file.parent

    def read_include(name: str, node: YScalar) -> tuple[str, str]:
        included = base / name
        return _read_text(included, str(included), node), str(included)

    return _parse(text, str(file), os.environ if env is None else env, read_include)


def parse_config(text: str, *, source: str = "<string>", env: Mapping[str, str]) -> Config:
    """Validate config text. ``include`` is refused here: it needs :func:`load_config`."""
    return _parse(text, source, env, None)


def _read_text(file: Path, source: str, node: YScalar | None) -> str:
    line = node.line if node is not None else None
    where = node.source if node is not None else source
    try:
        with file.open("rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(
            f"cannot read {source}: {exc.strerror or exc}", source=where, line=line
        ) from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"{source} is larger than {MAX_CONFIG_BYTES} bytes", source=where, line=line
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{source} is not UTF-8 text ({exc.reason})", source=where, line=line
        ) from None


def _parse(
    text: str, source: str, env: Mapping[str, str], read_include: IncludeReader | None
) -> Config:
    ctx = Context(env=env)
    root = compose_document(text, source)
    root_map = YMap(MappingProxyType({}), 1, source) if root is None else _top(root)
    root_map = apply_includes(root_map, ctx, read_include)
    top = SectionReader(
        root_map, "", ctx, implemented=TOP_IMPLEMENTED, documented=TOP_LEVEL, refused=REFUSED[""]
    )
    environment = read_environment(_value(top, "environment_variables"), ctx)
    ctx.env = with_file_environment(env, environment)
    model_list = read_model_list(_value(top, "model_list"), ctx)
    _check_unique_ids(model_list)
    router = read_router_settings(_value(top, "router_settings"), ctx)
    settings_key = top.spelling("litellm_settings", "settings")
    settings = read_litellm_settings(_value(top, settings_key), settings_key, ctx)
    general = read_general_settings(_value(top, "general_settings"), ctx)
    lockgate = read_lockgate_settings(_value(top, "lockgate_settings"), ctx, general, settings)
    top.entry("include")  # consumed by apply_includes
    top.finish()
    return Config(
        model_list=model_list,
        router=router,
        settings=settings,
        general=general,
        lockgate=lockgate,
        source=source,
        warnings=tuple(ctx.warnings),
        environment=environment,
    )


def _top(root: YNode) -> YMap:
    if isinstance(root, YScalar) and root.value is None:
        return YMap(MappingProxyType({}), root.line, root.source)
    return as_map(root, "")


def _value(top: SectionReader, key: str) -> YNode | None:
    entry = top.entry(key)
    return None if entry is None else entry.value


def _check_unique_ids(model_list: tuple[DeploymentConfig, ...]) -> None:
    seen: dict[str, int] = {}
    for i, deployment in enumerate(model_list):
        ident = deployment.id
        if ident is None:
            continue
        if ident in seen:
            raise ConfigError(
                f"model_info.id {ident!r} is already used by model_list[{seen[ident]}]",
                source=deployment.source,
                line=deployment.line,
                path=f"{index_path('model_list', i)}.model_info.id",
            )
        seen[ident] = i
