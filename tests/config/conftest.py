"""Fixtures for the config loader tests."""

from __future__ import annotations

import pytest
from config_env import example_env


@pytest.fixture
def env() -> dict[str, str]:
    return example_env()
