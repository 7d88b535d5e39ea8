"""The one exception the config loader raises, always located: file, line and key path."""

from __future__ import annotations

__all__ = ["ConfigError", "locate"]


def locate(source: str | None, line: int | None, path: str | None) -> str:
    """``config.yaml:12: model_list[0].litellm_params.rpm`` (unknown parts left out)."""
    where = source or "<config>"
    if line is not None:
        where = f"{where}:{line}"
    return f"{where}: {path}" if path else where


class ConfigError(ValueError):
    """An invalid config file. The message names the file, the line and the key path.

    Messages never contain a credential's value: values are echoed only for fields that
    are not secrets, and then shortened.
    """

    def __init__(
        self,
        problem: str,
        *,
        source: str | None = None,
        line: int | None = None,
        path: str | None = None,
    ) -> None:
        self.problem = problem
        self.source = source
        self.line = line
        self.path = path or None
        super().__init__(f"{locate(source, line, path)}: {problem}")
