"""Cost of a call from its usage. Expected values are computed here by hand from prices read
out of LiteLLM's reference JSON (or, for the synthetic table, written in the test)."""

from __future__ import annotations

from typing import Any

import pytest

from lockgate.pricing import ModelTable, cost_for_usage, usage_cost
from lockgate.types import CompletionTokensDetails, PromptTokensDetails, Usage


def usage(
    prompt: int,
    completion: int,
    *,
    cached: int = 0,
    cache_write: int | None = None,
    reasoning: int = 0,
    audio_in: int | None = None,
    audio_out: int | None = None,
) -> Usage:
    return Usage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=prompt + completion,
        prompt_tokens_details=PromptTokensDetails(
            cached_tokens=cached, cache_write_tokens=cache_write, audio_tokens=audio_in
        ),
        completion_tokens_details=CompletionTokensDetails(
            reasoning_tokens=reasoning, audio_tokens=audio_out
        ),
    )


# --- against the reference prices ---------------------------------------------------------


def test_plain_tokens(reference: dict[str, Any]) -> None:
    p = reference["gpt-4o"]
    expected = 1000 * p["input_cost_per_token"] + 500 * p["output_cost_per_token"]
    plain = Usage(prompt_tokens=1000, completion_tokens=500, total_tokens=1500)
    assert cost_for_usage(plain, "gpt-4o") == pytest.approx(expected)
    assert cost_for_usage(plain, "openai/gpt-4o") == pytest.approx(expected)
    assert cost_for_usage(plain, "gpt-4o", "openai") == pytest.approx(expected)


def test_cached_prompt_tokens_are_part_of_prompt_tokens(reference: dict[str, Any]) -> None:
    # The usage of the OpenAI stream recording in wire-formats.md (gpt-4o-2024-08-06).
    p = reference["gpt-4o-2024-08-06"]
    expected = (
        (1420 - 1280) * p["input_cost_per_token"]
        + 1280 * p["cache_read_input_token_cost"]
        + 100 * p["output_cost_per_token"]
    )
    cost = cost_for_usage(usage(1420, 100, cached=1280), "gpt-4o-2024-08-06")
    assert cost == pytest.approx(expected)


def test_anthropic_cache_reads_and_writes(reference: dict[str, Any]) -> None:
    # Anthropic: input_tokens=11, cache_read_input_tokens=2055, cache_creation=300, output=100;
    # in OpenAI's convention prompt_tokens = 11 + 2055 + 300.
    p = reference["claude-sonnet-4-5"]
    expected = (
        11 * p["input_cost_per_token"]
        + 2055 * p["cache_read_input_token_cost"]
        + 300 * p["cache_creation_input_token_cost"]
        + 100 * p["output_cost_per_token"]
    )
    got = cost_for_usage(
        usage(11 + 2055 + 300, 100, cached=2055, cache_write=300), "anthropic/claude-sonnet-4-5"
    )
    assert got == pytest.approx(expected)


def test_cache_writes_without_a_write_price_cost_plain_input(reference: dict[str, Any]) -> None:
    p = reference["gpt-4o"]
    assert "cache_creation_input_token_cost" not in p
    expected = 1000 * p["input_cost_per_token"]
    assert cost_for_usage(usage(1000, 0, cache_write=400), "gpt-4o") == pytest.approx(expected)


def test_reasoning_without_its_own_price_is_output(reference: dict[str, Any]) -> None:
    p = reference["o3-mini"]
    assert "output_cost_per_reasoning_token" not in p
    expected = 100 * p["input_cost_per_token"] + 900 * p["output_cost_per_token"]
    assert cost_for_usage(usage(100, 900, reasoning=700), "o3-mini") == pytest.approx(expected)


def test_reasoning_with_its_own_price(reference: dict[str, Any]) -> None:
    key = "dashscope/qwen-turbo"
    p = reference[key]
    assert p["output_cost_per_reasoning_token"] != p["output_cost_per_token"]
    expected = (
        100 * p["input_cost_per_token"]
        + 700 * p["output_cost_per_reasoning_token"]
        + 200 * p["output_cost_per_token"]
    )
    assert cost_for_usage(usage(100, 900, reasoning=700), key) == pytest.approx(expected)


@pytest.mark.parametrize("model", ["claude-sonnet-4-5", "gemini/gemini-2.5-pro"])
def test_above_200k_prompt_prices_the_whole_call_at_the_tier(
    reference: dict[str, Any], model: str
) -> None:
    p = reference[model]
    prompt, cached, completion = 250_000, 50_000, 1_000
    expected = (
        (prompt - cached) * p["input_cost_per_token_above_200k_tokens"]
        + cached * p["cache_read_input_token_cost_above_200k_tokens"]
        + completion * p["output_cost_per_token_above_200k_tokens"]
    )
    assert cost_for_usage(usage(prompt, completion, cached=cached), model) == pytest.approx(
        expected
    )


def test_tier_starts_above_the_threshold(reference: dict[str, Any]) -> None:
    p = reference["claude-sonnet-4-5"]
    at = 200_000 * p["input_cost_per_token"]
    above = 200_001 * p["input_cost_per_token_above_200k_tokens"]
    assert cost_for_usage(usage(200_000, 0), "claude-sonnet-4-5") == pytest.approx(at)
    assert cost_for_usage(usage(200_001, 0), "claude-sonnet-4-5") == pytest.approx(above)


def test_tier_cache_writes(reference: dict[str, Any]) -> None:
    p = reference["claude-sonnet-4-5"]
    expected = (
        200_000 * p["input_cost_per_token_above_200k_tokens"]
        + 10_000 * p["cache_creation_input_token_cost_above_200k_tokens"]
    )
    got = cost_for_usage(usage(210_000, 0, cache_write=10_000), "claude-sonnet-4-5")
    assert got == pytest.approx(expected)


def test_range_tiered_pricing(reference: dict[str, Any]) -> None:
    key = "dashscope/qwen-flash"
    low, high = reference[key]["tiered_pricing"][:2]
    small = 1000 * low["input_cost_per_token"] + 10 * low["output_cost_per_token"]
    large = 300_000 * high["input_cost_per_token"] + 10 * high["output_cost_per_token"]
    assert cost_for_usage(usage(1000, 10), key) == pytest.approx(small)
    assert cost_for_usage(usage(300_000, 10), key) == pytest.approx(large)


def test_audio_tokens(reference: dict[str, Any]) -> None:
    p = reference["gpt-4o-audio-preview"]
    expected = (
        60 * p["input_cost_per_token"]
        + 40 * p["input_cost_per_audio_token"]
        + 30 * p["output_cost_per_token"]
        + 70 * p["output_cost_per_audio_token"]
    )
    got = cost_for_usage(usage(100, 100, audio_in=40, audio_out=70), "gpt-4o-audio-preview")
    assert got == pytest.approx(expected)


def test_azure_deployment_named_like_an_openai_model(reference: dict[str, Any]) -> None:
    assert "azure/o1-pro" not in reference
    p = reference["o1-pro"]
    expected = 10 * p["input_cost_per_token"] + 10 * p["output_cost_per_token"]
    assert cost_for_usage(usage(10, 10), "azure/o1-pro") == pytest.approx(expected)


def test_unknown_model_has_no_cost() -> None:
    assert cost_for_usage(usage(10, 10), "no-such-model") is None
    assert cost_for_usage(usage(10, 10), "gpt-4o", "hosted_vllm") is None


def test_model_without_token_prices_has_no_cost(reference: dict[str, Any]) -> None:
    raw = reference["1024-x-1024/dall-e-2"]
    assert "input_cost_per_token" not in raw and "output_cost_per_token" not in raw
    assert cost_for_usage(usage(10, 0), "1024-x-1024/dall-e-2") is None


# --- rules, on a small synthetic table ---------------------------------------------------


@pytest.fixture(scope="module")
def synthetic() -> ModelTable:
    return ModelTable.from_entries(
        {
            "m": {
                "litellm_provider": "openai",
                "input_cost_per_token": 1.0,
                "output_cost_per_token": 10.0,
                "cache_read_input_token_cost": 0.1,
                "cache_creation_input_token_cost": 1.25,
                "output_cost_per_reasoning_token": 20.0,
                "input_cost_per_token_above_100_tokens": 2.0,
                "output_cost_per_token_above_100_tokens": 30.0,
                "input_cost_per_token_above_1k_tokens": 4.0,
            },
            "free": {
                "litellm_provider": "ollama",
                "input_cost_per_token": 0.0,
                "output_cost_per_token": 0.0,
            },
            "input-only": {
                "litellm_provider": "openai",
                "input_cost_per_token": 1.0,
                "mode": "embedding",
            },
            "sample_spec": {"input_cost_per_token": "not a model"},
        }
    )


def test_every_part_at_its_price(synthetic: ModelTable) -> None:
    # 10 prompt = 3 plain + 4 cached + 3 written; 10 completion = 6 reasoning + 4 plain.
    got = cost_for_usage(usage(10, 10, cached=4, cache_write=3, reasoning=6), "m", table=synthetic)
    assert got == pytest.approx(3 * 1.0 + 4 * 0.1 + 3 * 1.25 + 6 * 20.0 + 4 * 10.0)


def test_highest_tier_exceeded_wins_and_missing_tier_prices_fall_back(
    synthetic: ModelTable,
) -> None:
    # above 100: input 2, output 30; cache prices have no tier, so the base ones apply.
    got = cost_for_usage(usage(101, 1, cached=1), "m", table=synthetic)
    assert got == pytest.approx(100 * 2.0 + 1 * 0.1 + 1 * 30.0)
    # above 1000: input 4; output has no 1k tier price, so the base output price applies.
    got = cost_for_usage(usage(1001, 1), "m", table=synthetic)
    assert got == pytest.approx(1001 * 4.0 + 1 * 10.0)


def test_inconsistent_counts_never_cost_less_than_zero(synthetic: ModelTable) -> None:
    # cached > prompt and reasoning > completion: clamp to the totals.
    got = cost_for_usage(usage(5, 2, cached=9, cache_write=4, reasoning=7), "m", table=synthetic)
    assert got == pytest.approx(5 * 0.1 + 2 * 20.0)
    negative = Usage(prompt_tokens=-5, completion_tokens=-1)
    assert cost_for_usage(negative, "m", table=synthetic) == 0.0


def test_usage_without_details(synthetic: ModelTable) -> None:
    bare = Usage(prompt_tokens=10, completion_tokens=1, total_tokens=11)
    assert cost_for_usage(bare, "m", table=synthetic) == pytest.approx(10 * 1.0 + 10.0)


def test_free_and_input_only_models(synthetic: ModelTable) -> None:
    assert cost_for_usage(usage(10, 10), "free", table=synthetic) == 0.0
    assert cost_for_usage(usage(10, 0), "input-only", table=synthetic) == pytest.approx(10.0)
    assert "sample_spec" not in synthetic


def test_usage_cost_takes_model_info(synthetic: ModelTable) -> None:
    info = synthetic.lookup("openai/m")
    assert info is not None
    assert usage_cost(usage(1, 1), info) == pytest.approx(11.0)


# --- a usage without details (most answers) -------------------------------------------------


@pytest.mark.parametrize(
    ("model", "prompt", "completion"),
    [
        ("gpt-4o-mini", 19, 10),
        ("gpt-4o-mini", 0, 0),
        ("gemini/gemini-2.5-pro", 250_000, 3_000),  # above a tier threshold
        ("gemini/gemini-2.5-pro", 1_000, 3_000),
        ("claude-sonnet-4-5", 1_234_567, 7),
    ],
)
def test_no_details_costs_what_zero_details_cost(model: str, prompt: int, completion: int) -> None:
    bare = Usage(prompt_tokens=prompt, completion_tokens=completion)
    assert bare.prompt_tokens_details is None and bare.completion_tokens_details is None
    expected = cost_for_usage(usage(prompt, completion), model)
    assert expected is not None
    assert cost_for_usage(bare, model) == expected


def test_lookups_are_answered_alike_when_asked_again() -> None:
    table = ModelTable.packaged()
    first = table.lookup("gpt-4o-mini", "openai")
    assert first is not None and table.lookup("gpt-4o-mini", "openai") is first
    assert table.lookup("no-such-model-anywhere") is None
    assert table.lookup("no-such-model-anywhere") is None
