"""The packaged model table is what scripts/build_model_table.py makes from the reference."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from lockgate.pricing import ModelTable, normalise_entry

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "build_model_table.py"
PACKAGED = resources.files("lockgate.pricing").joinpath("model_table.json")


@pytest.fixture(scope="module")
def build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_model_table", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_table_ships_inside_the_package() -> None:
    assert PACKAGED.is_file()


def test_packaged_table_is_what_the_script_generates_now(
    build_script: ModuleType,
    reference: dict[str, Any],
    reference_bytes: bytes,
    packaged_json: dict[str, Any],
) -> None:
    date = packaged_json["_source"]["generated"]
    table = build_script.build_table(reference, reference_bytes=reference_bytes, generated=date)
    assert build_script.render(table) == PACKAGED.read_bytes(), (
        "src/lockgate/pricing/model_table.json is stale: run scripts/build_model_table.py"
    )


def test_check_mode_accepts_the_packaged_table(
    build_script: ModuleType, reference_bytes: bytes
) -> None:
    assert build_script.main(["--check"]) == 0


def test_output_is_deterministic(build_script: ModuleType, tmp_path: Path) -> None:
    reference = tmp_path / "reference.json"
    reference.write_text(
        '{"b-model": {"litellm_provider": "openai", "input_cost_per_token": 1e-06,'
        ' "supports_vision": true, "supports_pdf_input": false, "mode": "chat"},'
        ' "a-model": {"litellm_provider": "anthropic", "max_tokens": 10,'
        ' "max_input_tokens": 2000000.0},'
        ' "sample_spec": {"litellm_provider": "one of ...", "max_input_tokens": "text"}}'
    )
    output = tmp_path / "table.json"
    assert build_script.main([str(reference), "--output", str(output)]) == 0
    first = output.read_bytes()
    assert build_script.main([str(reference), "--output", str(output)]) == 0
    assert output.read_bytes() == first
    assert build_script.main([str(reference), "--output", str(output), "--check"]) == 0
    lines = first.decode().splitlines()
    assert lines[0] == "{" and lines[1].startswith('"_source":')
    assert lines[2].startswith('"a-model":') and lines[3].startswith('"b-model":')
    assert "sample_spec" not in first.decode()
    assert '"max_input_tokens":2000000,' in lines[2]
    assert lines[3] == (
        '"b-model":{"input_cost_per_token":1e-06,"mode":"chat","provider":"openai",'
        '"supports":["vision"],"unsupported":["pdf_input"]}'
    )


def test_check_mode_reports_a_stale_table(build_script: ModuleType, tmp_path: Path) -> None:
    reference = tmp_path / "reference.json"
    reference.write_text('{"m": {"litellm_provider": "openai", "input_cost_per_token": 1e-06}}')
    output = tmp_path / "table.json"
    assert build_script.main([str(reference), "--output", str(output), "--check"]) == 1
    build_script.main([str(reference), "--output", str(output)])
    reference.write_text('{"m": {"litellm_provider": "openai", "input_cost_per_token": 2e-06}}')
    assert build_script.main([str(reference), "--output", str(output), "--check"]) == 1


def test_header_names_the_source(packaged_json: dict[str, Any]) -> None:
    source = packaged_json["_source"]
    assert source["litellm_version"] == "1.100.5"
    assert source["license"] == "MIT"
    assert "LiteLLM" in source["name"]
    assert len(source["generated"]) == 10  # YYYY-MM-DD
    assert source["models"] == len(packaged_json) - 1
    assert ModelTable.packaged().source["litellm_version"] == "1.100.5"


def test_packaged_entries_are_normalised_and_compact(packaged_json: dict[str, Any]) -> None:
    for key, entry in packaged_json.items():
        if key == "_source":
            continue
        assert normalise_entry(entry, where=key) == entry, key
        assert None not in entry.values(), key


def test_reference_fields_survive(reference: dict[str, Any], packaged_json: dict[str, Any]) -> None:
    fields = (
        "input_cost_per_token",
        "output_cost_per_token",
        "cache_read_input_token_cost",
        "cache_creation_input_token_cost",
        "output_cost_per_reasoning_token",
        "max_input_tokens",
        "max_output_tokens",
        "mode",
    )
    assert set(packaged_json) - {"_source"} == set(reference) - {"sample_spec"}
    for key, raw in reference.items():
        if key == "sample_spec":
            continue
        entry = packaged_json[key]
        assert entry.get("provider") == raw.get("litellm_provider"), key
        for field in fields:
            if field in raw and "tiered_pricing" not in raw:
                assert entry[field] == raw[field], (key, field)
        flags = {
            k.removeprefix("supports_")
            for k, v in raw.items()
            if k.startswith("supports_") and v is True
        }
        assert set(entry.get("supports", ())) == flags, key


def test_packaged_table_is_not_read_at_import() -> None:
    code = (
        "import lockgate, lockgate.pricing\n"
        "from lockgate.pricing import model_table\n"
        "print(model_table._packaged_table.cache_info().currsize)\n"
        "model_table.ModelTable.packaged()\n"
        "print(model_table._packaged_table.cache_info().currsize)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "1"]


def test_packaged_is_loaded_once() -> None:
    assert ModelTable.packaged() is ModelTable.packaged()
