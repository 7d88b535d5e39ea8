"""Fixtures for the model table tests: LiteLLM's reference file (beside the repo) and the
packaged table read as plain JSON, so expected prices never come from the code under test."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO.parent / "shared" / "data" / "model_prices_reference.json"


@pytest.fixture(scope="session")
def reference_bytes() -> bytes:
    if not REFERENCE.is_file():
        pytest.skip(f"{REFERENCE} is not present")
    return REFERENCE.read_bytes()


@pytest.fixture(scope="session")
def reference(reference_bytes: bytes) -> dict[str, Any]:
    """LiteLLM's model_cost map as published (version 1.100.5)."""
    data: dict[str, Any] = json.loads(reference_bytes)
    return data


@pytest.fixture(scope="session")
def packaged_json() -> dict[str, Any]:
    raw = resources.files("lockgate.pricing").joinpath("model_table.json").read_bytes()
    data: dict[str, Any] = json.loads(raw)
    return data
