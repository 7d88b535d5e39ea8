"""One parser for LiteLLM-shaped entries, lockgate's compact form and override files."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lockgate.pricing import EntryError, normalise_entry
from lockgate.pricing.entry_schema import denormalise_entry

LITELLM_ENTRY: dict[str, Any] = {
    "litellm_provider": "anthropic",
    "mode": "chat",
    "max_input_tokens": 200000,
    "max_output_tokens": 64000,
    "max_tokens": 64000,
    "input_cost_per_token": 3e-06,
    "output_cost_per_token": 1.5e-05,
    "cache_read_input_token_cost": 3e-07,
    "cache_creation_input_token_cost": 3.75e-06,
    "cache_creation_input_token_cost_above_1hr": 6e-06,
    "input_cost_per_token_above_200k_tokens": 6e-06,
    "output_cost_per_token_above_200k_tokens": 2.25e-05,
    "cache_read_input_token_cost_above_200k_tokens": 6e-07,
    "input_cost_per_token_above_200k_tokens_priority": 9e-06,
    "search_context_cost_per_query": {"search_context_size_low": 0.01},
    "supports_vision": True,
    "supports_function_calling": True,
    "supports_system_messages": False,
    "source": "https://example.invalid/pricing",
}


def test_selects_and_renames_fields() -> None:
    entry = normalise_entry(LITELLM_ENTRY)
    assert entry == {
        "provider": "anthropic",
        "mode": "chat",
        "max_input_tokens": 200000,
        "max_output_tokens": 64000,
        "input_cost_per_token": 3e-06,
        "output_cost_per_token": 1.5e-05,
        "cache_read_input_token_cost": 3e-07,
        "cache_creation_input_token_cost": 3.75e-06,
        "tiers": [
            {
                "above_tokens": 200000,
                "input_cost_per_token": 6e-06,
                "output_cost_per_token": 2.25e-05,
                "cache_read_input_token_cost": 6e-07,
            }
        ],
        "supports": ["function_calling", "vision"],
        "unsupported": ["system_messages"],
    }


def test_normalising_twice_changes_nothing() -> None:
    once = normalise_entry(LITELLM_ENTRY)
    assert normalise_entry(once) == once


def test_denormalised_entry_normalises_back() -> None:
    once = normalise_entry(LITELLM_ENTRY)
    raw = denormalise_entry(once)
    assert raw["litellm_provider"] == "anthropic"
    assert raw["supports_vision"] is True and raw["supports_system_messages"] is False
    assert raw["input_cost_per_token_above_200k_tokens"] == 6e-06
    assert normalise_entry(raw) == once


def test_threshold_spellings() -> None:
    entry = normalise_entry(
        {
            "input_cost_per_token": 1.0,
            "input_cost_per_token_above_128000_tokens": 2.0,
            "input_cost_per_token_above_272k_tokens": 3.0,
        }
    )
    assert entry["tiers"] == [
        {"above_tokens": 128000, "input_cost_per_token": 2.0},
        {"above_tokens": 272000, "input_cost_per_token": 3.0},
    ]
    assert denormalise_entry(entry)["input_cost_per_token_above_128k_tokens"] == 2.0


def test_range_tiers_become_base_prices_and_thresholds() -> None:
    entry = normalise_entry(
        {
            "litellm_provider": "dashscope",
            "tiered_pricing": [
                {
                    "input_cost_per_token": 1e-07,
                    "output_cost_per_token": 2e-07,
                    "range": [0, 32000.0],
                },
                {
                    "input_cost_per_token": 3e-07,
                    "output_cost_per_token": 4e-07,
                    "output_cost_per_reasoning_token": 5e-07,
                    "range": [32000.0, 128000.0],
                },
                {"input_cost_per_query": 0.005, "range": None},
            ],
        }
    )
    assert entry["input_cost_per_token"] == 1e-07
    assert entry["output_cost_per_token"] == 2e-07
    assert entry["tiers"] == [
        {
            "above_tokens": 32000,
            "input_cost_per_token": 3e-07,
            "output_cost_per_token": 4e-07,
            "output_cost_per_reasoning_token": 5e-07,
        }
    ]


def test_numbers_written_as_text_are_accepted() -> None:
    # PyYAML reads 3e-07 (no dot) as a string; LiteLLM accepts such prices too.
    entry = normalise_entry({"input_cost_per_token": "3e-07", "max_input_tokens": 1000.0})
    assert entry == {"input_cost_per_token": 3e-07, "max_input_tokens": 1000}


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"input_cost_per_token": "cheap"}, "input_cost_per_token"),
        ({"input_cost_per_token": -1}, "input_cost_per_token"),
        ({"input_cost_per_token": float("nan")}, "input_cost_per_token"),
        ({"input_cost_per_token": True}, "input_cost_per_token"),
        ({"output_cost_per_token": [1]}, "output_cost_per_token"),
        ({"max_input_tokens": "max input tokens"}, "max_input_tokens"),
        ({"max_output_tokens": 1.5}, "max_output_tokens"),
        ({"supports_vision": "yes"}, "supports_vision"),
        ({"litellm_provider": 7}, "litellm_provider"),
        ({"mode": ""}, "mode"),
        ({"tiers": [{"above_tokens": -5}]}, "above_tokens"),
    ],
)
def test_bad_values_are_refused_with_their_name(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(EntryError) as caught:
        normalise_entry(raw, where="models.yaml: 'my-model'")
    assert field in str(caught.value)
    assert "my-model" in str(caught.value)


def test_unused_fields_are_dropped_not_refused() -> None:
    assert normalise_entry({"rpm": 10, "metadata": {"notes": "x"}, "output_vector_size": 3}) == {}


_VALUES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
    | st.lists(
        st.integers() | st.text(max_size=8) | st.dictionaries(st.text(max_size=8), st.integers()),
        max_size=3,
    )
)


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "litellm_provider",
                "provider",
                "mode",
                "max_input_tokens",
                "input_cost_per_token",
                "input_cost_per_token_above_1k_tokens",
                "supports_vision",
                "supports",
                "unsupported",
                "tiers",
                "tiered_pricing",
                "deprecation_date",
            ]
        ),
        _VALUES,
    )
)
def test_any_entry_normalises_or_is_refused(raw: dict[str, Any]) -> None:
    try:
        entry = normalise_entry(raw)
    except EntryError:
        return
    assert normalise_entry(entry) == entry
