"""How a gateway process was asked to start, handed to worker processes by environment.

``lockgate serve --workers N`` starts N processes that each build the app; the parent
passes its choices in these variables (never secrets: the master key stays in the config
or the data folder's key file).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from lockgate.config.loader import load_config
from lockgate.config.model import Config
from lockgate.config.quick_start import config_from_model

__all__ = [
    "ENV_CONFIG_FILE",
    "ENV_DATA_DIR",
    "ENV_MODEL",
    "LaunchSpec",
    "launch_config",
    "launch_from_environment",
]

ENV_CONFIG_FILE = "LOCKGATE_CONFIG_FILE"
ENV_MODEL = "LOCKGATE_MODEL"
ENV_DATA_DIR = "LOCKGATE_DATA_DIR"


@dataclass(frozen=True, slots=True)
class LaunchSpec:
    config_path: str | None = None
    model: str | None = None
    data_dir: str = ".lockgate"

    @property
    def demo(self) -> bool:
        return self.config_path is None and self.model is None

    def as_environment(self) -> dict[str, str]:
        env = {ENV_DATA_DIR: self.data_dir}
        if self.config_path:
            env[ENV_CONFIG_FILE] = self.config_path
        if self.model:
            env[ENV_MODEL] = self.model
        return env


def launch_from_environment(env: Mapping[str, str] | None = None) -> LaunchSpec:
    source = os.environ if env is None else env
    return LaunchSpec(
        config_path=source.get(ENV_CONFIG_FILE) or None,
        model=source.get(ENV_MODEL) or None,
        data_dir=source.get(ENV_DATA_DIR) or ".lockgate",
    )


def launch_config(launch: LaunchSpec, env: Mapping[str, str], demo_mock_url: str) -> Config:
    """The config `launch` names: its file, the one model, or the demo (whose models answer
    from the mock at `demo_mock_url`). Light: a supervisor validates the config with it
    without importing the gateway."""
    if launch.config_path is not None:
        return load_config(launch.config_path, env=env)
    if launch.model is not None:
        return config_from_model(launch.model, env=env)
    from lockgate.gateway.demo import demo_config  # the demo's mock models: only here

    return demo_config(demo_mock_url, env)
