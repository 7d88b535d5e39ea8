"""Operator override files: LiteLLM's model_cost schema, in JSON or YAML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lockgate.pricing import EntryError, ModelTable


@pytest.fixture(scope="module")
def packaged() -> ModelTable:
    return ModelTable.packaged()


def test_override_replaces_fields_one_by_one(packaged: ModelTable) -> None:
    before = packaged.lookup("gpt-4o")
    assert before is not None
    table = packaged.with_overrides({"gpt-4o": {"input_cost_per_token": 1e-06}})
    after = table.lookup("gpt-4o")
    assert after is not None
    assert after.input_cost_per_token == 1e-06
    assert after.output_cost_per_token == before.output_cost_per_token
    assert after.supports == before.supports
    assert after.max_input_tokens == before.max_input_tokens
    # the packaged table is untouched
    assert packaged.lookup("gpt-4o") == before


def test_provider_prefixed_override_updates_the_entry_users_reach(packaged: ModelTable) -> None:
    table = packaged.with_overrides({"openai/gpt-4o": {"output_cost_per_token": 2e-05}})
    for model in ("gpt-4o", "openai/gpt-4o"):
        info = table.lookup(model)
        assert info is not None and info.key == "gpt-4o" and info.output_cost_per_token == 2e-05
    assert "openai/gpt-4o" not in table


def test_override_can_drop_a_capability_and_a_tier_price(packaged: ModelTable) -> None:
    table = packaged.with_overrides(
        {
            "claude-sonnet-4-5": {
                "supports_vision": False,
                "input_cost_per_token_above_200k_tokens": 7e-06,
            }
        }
    )
    info = table.lookup("claude-sonnet-4-5")
    assert info is not None
    assert "vision" not in info.supports and "vision" in info.unsupported
    assert info.tiers[0].input_cost_per_token == 7e-06


def test_new_model_is_added_with_provider_from_its_prefix(packaged: ModelTable) -> None:
    table = packaged.with_overrides(
        {"openai/my-finetune": {"input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06}}
    )
    info = table.lookup("openai/my-finetune")
    assert info is not None and info.provider == "openai"
    assert table.lookup("my-finetune", "openai") is info
    assert packaged.lookup("openai/my-finetune") is None


def test_dated_override_is_a_new_model_not_a_change_to_the_undated_one(
    packaged: ModelTable,
) -> None:
    table = packaged.with_overrides({"gpt-4o-2099-01-01": {"input_cost_per_token": 9e-06}})
    dated, undated = table.lookup("gpt-4o-2099-01-01"), table.lookup("gpt-4o")
    assert dated is not None and undated is not None
    assert dated.key == "gpt-4o-2099-01-01" and dated.input_cost_per_token == 9e-06
    assert undated.input_cost_per_token != 9e-06


def test_override_for_a_self_hosted_deployment(packaged: ModelTable) -> None:
    table = packaged.with_overrides(
        {"azure/my-deployment": {"litellm_provider": "azure", "input_cost_per_token": 1e-06}}
    )
    info = table.lookup("azure/my-deployment")
    assert info is not None and info.input_cost_per_token == 1e-06


def test_json_file(packaged: ModelTable, tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    path.write_text(
        json.dumps(
            {
                "my-model": {
                    "litellm_provider": "openai",
                    "mode": "chat",
                    "input_cost_per_token": 5e-07,
                    "output_cost_per_token": 1e-06,
                }
            }
        )
    )
    info = packaged.with_overrides(path).lookup("openai/my-model")
    assert info is not None and info.output_cost_per_token == 1e-06


def test_yaml_file(packaged: ModelTable, tmp_path: Path) -> None:
    path = tmp_path / "prices.yaml"
    path.write_text(
        "sample_spec:\n  max_tokens: text is ignored here\n"
        "my-model:\n"
        "  litellm_provider: openai\n"
        "  input_cost_per_token: 3e-07\n"  # a string to PyYAML
        "  output_cost_per_token: 0.0000006\n"
        "  max_input_tokens: 8192\n"
        "  supports_function_calling: true\n"
    )
    info = packaged.with_overrides(str(path)).lookup("my-model")
    assert info is not None
    assert info.input_cost_per_token == 3e-07 and info.output_cost_per_token == 6e-07
    assert info.max_input_tokens == 8192 and "function_calling" in info.supports


def test_overrides_stack(packaged: ModelTable) -> None:
    table = packaged.with_overrides({"m": {"input_cost_per_token": 1.0}}).with_overrides(
        {"m": {"output_cost_per_token": 2.0}}
    )
    info = table.lookup("m")
    assert info is not None and (info.input_cost_per_token, info.output_cost_per_token) == (
        1.0,
        2.0,
    )


@pytest.mark.parametrize(
    ("text", "suffix", "message"),
    [
        ("{not json", ".json", "not valid JSON"),
        ("a: [unclosed", ".yml", "not valid YAML"),
        ("[1, 2]", ".json", "top level must be a mapping"),
        ('{"m": 3}', ".json", "'m'"),
        ('{"m": {"input_cost_per_token": "free"}}', ".json", "input_cost_per_token"),
    ],
)
def test_bad_files_are_refused(
    packaged: ModelTable, tmp_path: Path, text: str, suffix: str, message: str
) -> None:
    path = tmp_path / f"prices{suffix}"
    path.write_text(text)
    with pytest.raises(EntryError) as caught:
        packaged.with_overrides(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)


def test_yaml_is_read_safely(packaged: ModelTable, tmp_path: Path) -> None:
    path = tmp_path / "prices.yaml"
    path.write_text("m: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(EntryError):
        packaged.with_overrides(path)


def test_missing_file(packaged: ModelTable, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        packaged.with_overrides(tmp_path / "absent.json")
