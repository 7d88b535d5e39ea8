"""``environment_variables``: values the file provides for environment variables.

lockgate never writes ``os.environ``. The values are kept in ``Config.environment`` (as
Secrets: they are often keys) and serve the file's own ``os.environ/NAME`` references for
variables the process environment does not set: the process environment wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from lockgate.config.errors import ConfigError
from lockgate.config.values import Context, as_map, as_secret, error_at
from lockgate.config.yaml_nodes import YNode, YScalar, child_path
from lockgate.security import Secret

__all__ = ["read_environment", "with_file_environment"]

_VARIABLE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PATH: Final = "environment_variables"


def read_environment(node: YNode | None, ctx: Context) -> MappingProxyType[str, Secret]:
    if node is None or (isinstance(node, YScalar) and node.value is None):
        return MappingProxyType({})
    values: dict[str, Secret] = {}
    for name, entry in as_map(node, _PATH).entries.items():
        path = child_path(_PATH, name)
        if not _VARIABLE.fullmatch(name):
            raise ConfigError(
                "not a valid environment variable name",
                source=entry.value.source,
                line=entry.key_line,
                path=path,
            )
        value = entry.value
        if isinstance(value, YScalar) and isinstance(value.value, bool | float):
            value = YScalar(str(value.value), value.line, value.source)  # as LiteLLM: str(value)
        if not isinstance(value, YScalar) or value.value is None:
            raise error_at(entry.value, path, "expected a single value")
        values[name] = as_secret(value, path, ctx)
    return MappingProxyType(values)


def with_file_environment(env: Mapping[str, str], file_env: Mapping[str, Secret]) -> dict[str, str]:
    """The environment references resolve against: the process's, completed by the file's."""
    merged = {name: secret.reveal() for name, secret in file_env.items()}
    merged.update(env)
    return merged
