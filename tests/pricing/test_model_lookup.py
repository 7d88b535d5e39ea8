"""Model strings as users write them resolve to the right entry of the packaged table."""

from __future__ import annotations

import pytest

from lockgate.errors import NotFoundError
from lockgate.pricing import ModelTable, get_model_info


@pytest.fixture(scope="module")
def table() -> ModelTable:
    return ModelTable.packaged()


@pytest.mark.parametrize(
    ("model", "provider", "key"),
    [
        # bare keys and provider/model strings for the same entry
        ("gpt-4o", None, "gpt-4o"),
        ("openai/gpt-4o", None, "gpt-4o"),
        ("gpt-4o", "openai", "gpt-4o"),
        ("openai/gpt-4o", "openai", "gpt-4o"),
        ("GPT-4o", None, "gpt-4o"),
        ("  gpt-4o ", None, "gpt-4o"),
        ("text-embedding-3-small", None, "text-embedding-3-small"),
        ("anthropic/claude-sonnet-4-5", None, "claude-sonnet-4-5"),
        ("claude-sonnet-4-5-20250929", None, "claude-sonnet-4-5-20250929"),
        ("claude-sonnet-4-5", "anthropic", "claude-sonnet-4-5"),
        # keys spelled provider/model
        ("gemini/gemini-2.5-flash", None, "gemini/gemini-2.5-flash"),
        ("gemini-2.5-flash", "gemini", "gemini/gemini-2.5-flash"),
        ("groq/llama-3.1-8b-instant", None, "groq/llama-3.1-8b-instant"),
        ("llama-3.1-8b-instant", "groq", "groq/llama-3.1-8b-instant"),
        ("mistral/mistral-large-latest", None, "mistral/mistral-large-latest"),
        ("openrouter/google/gemini-2.5-flash", None, "openrouter/google/gemini-2.5-flash"),
        ("google/gemini-2.5-flash", "openrouter", "openrouter/google/gemini-2.5-flash"),
        # provider names finer than the prefix users write
        ("vertex_ai/gemini-2.5-flash", None, "gemini-2.5-flash"),
        ("vertex_ai/claude-sonnet-4-5@20250929", None, "vertex_ai/claude-sonnet-4-5@20250929"),
        ("cohere/command-r-plus", None, "command-r-plus"),
        # Bedrock: model ids, cross-region profiles, route and region segments
        (
            "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0",
            None,
            "anthropic.claude-3-5-sonnet-20240620-v1:0",
        ),
        (
            "bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            None,
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        ),
        (
            "bedrock/converse/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            None,
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        ),
        (
            "bedrock/us-east-1/anthropic.claude-3-5-sonnet-20240620-v1:0",
            None,
            "anthropic.claude-3-5-sonnet-20240620-v1:0",
        ),
        (
            "bedrock/us-gov-west-1/anthropic.claude-sonnet-4-5-20250929-v1:0",
            None,
            "bedrock/us-gov-west-1/anthropic.claude-sonnet-4-5-20250929-v1:0",
        ),
        # Azure: its own entry first, else the OpenAI model of the same name
        ("azure/gpt-4o", None, "azure/gpt-4o"),
        ("gpt-4o", "azure", "azure/gpt-4o"),
        ("azure/o1-pro", None, "o1-pro"),
        # an unknown release date falls back to the undated entry
        ("gpt-4o-2099-01-01", None, "gpt-4o"),
        ("claude-sonnet-4-5-20991231", None, "claude-sonnet-4-5"),
        ("anthropic/claude-sonnet-4-5-20991231", None, "claude-sonnet-4-5"),
        ("vertex_ai/claude-sonnet-4-5-20250929", None, "vertex_ai/claude-sonnet-4-5"),
        # OpenAI fine-tunes price as their base's fine-tune entry
        ("ft:gpt-4o-mini-2024-07-18:acme::abc123", None, "ft:gpt-4o-mini-2024-07-18"),
    ],
)
def test_lookup_resolves(table: ModelTable, model: str, provider: str | None, key: str) -> None:
    assert key in table
    info = table.lookup(model, provider)
    assert info is not None, model
    assert info.key == key


@pytest.mark.parametrize(
    ("model", "provider"),
    [
        ("azure/my-own-deployment", None),
        ("mock/gpt-4o", None),  # not a provider family the table knows
        ("gpt-4o", "hosted_vllm"),  # a self-hosted model is not priced like OpenAI's
        ("gpt-4o", "anthropic"),
        ("no-such-model", None),
        ("", None),
        # only resellers carry it: without a provider there is no one right price
        ("llama-3.1-8b-instant", None),
    ],
)
def test_lookup_unknown(table: ModelTable, model: str, provider: str | None) -> None:
    assert table.lookup(model, provider) is None


def test_dated_entry_is_preferred_to_the_undated_one(table: ModelTable) -> None:
    dated = table.lookup("gpt-4o-2024-05-13")
    assert dated is not None and dated.key == "gpt-4o-2024-05-13"


def test_region_specific_entry_wins_over_the_plain_model(table: ModelTable) -> None:
    plain = table.lookup("bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0")
    gov = table.lookup("bedrock/us-gov-west-1/anthropic.claude-sonnet-4-5-20250929-v1:0")
    assert plain is not None and gov is not None and plain.key != gov.key


def test_model_info_fields(table: ModelTable, packaged_json: dict[str, object]) -> None:
    info = table.lookup("anthropic/claude-sonnet-4-5")
    assert info is not None
    entry = packaged_json["claude-sonnet-4-5"]
    assert isinstance(entry, dict)
    assert info.provider == "anthropic"
    assert info.mode == "chat"
    assert info.max_input_tokens == entry["max_input_tokens"]
    assert info.max_output_tokens == entry["max_output_tokens"]
    assert info.input_cost_per_token == entry["input_cost_per_token"]
    assert info.cache_creation_input_token_cost == entry["cache_creation_input_token_cost"]
    assert info.output_cost_per_reasoning_token is None
    assert "vision" in info.supports and info.has("supports_vision") and info.has("vision")
    assert [tier.above_tokens for tier in info.tiers] == [200_000]


def test_get_model_info(table: ModelTable) -> None:
    assert get_model_info("openai/gpt-4o").key == "gpt-4o"
    assert get_model_info("gpt-4o", "azure").key == "azure/gpt-4o"
    with pytest.raises(NotFoundError) as caught:
        get_model_info("no-such-model", "openai")
    assert caught.value.status_code == 404
    assert caught.value.model == "no-such-model"
    assert caught.value.provider == "openai"


def test_table_is_a_read_only_collection(table: ModelTable) -> None:
    assert len(table) > 3000
    keys = list(table)
    assert keys == sorted(keys)
    assert table.get("gpt-4o") is table.lookup("gpt-4o")
    assert table.get("openai/gpt-4o") is None  # get() is by exact key
