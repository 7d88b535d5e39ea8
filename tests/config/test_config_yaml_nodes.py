"""Line-aware YAML: safe_load semantics, merge keys, dates and key paths."""

from __future__ import annotations

import pytest

from lockgate.config import ConfigError, parse_config
from lockgate.config.yaml_nodes import YMap, YScalar, child_path, compose_document


def test_merge_keys_behave_like_safe_load() -> None:
    text = """
model_list:
  - model_name: a
    litellm_params: &base
      model: openai/a
      api_key: sk-shared
      rpm: 10
  - model_name: b
    litellm_params:
      <<: *base
      model: openai/b
      rpm: 20
"""
    loaded = parse_config(text, env={})
    b = loaded.model_list[1].params
    assert (b.model, b.rpm) == ("openai/b", 20)
    assert b.api_key is not None and b.api_key.reveal() == "sk-shared"


def test_dates_and_booleans_as_written() -> None:
    root = compose_document("a: 2024-02-01\non: 1\nb: yes\nc: 0x10\nd: ~\n", "t")
    assert isinstance(root, YMap)
    values = {k: e.value for k, e in root.entries.items()}
    assert values["a"] == YScalar("2024-02-01", 1, "t")
    assert values["on"] == YScalar(1, 2, "t")  # the key stays "on"
    assert values["b"] == YScalar(True, 3, "t")
    assert values["c"] == YScalar(16, 4, "t")
    assert values["d"] == YScalar(None, 5, "t")


def test_empty_documents() -> None:
    assert compose_document("", "t") is None
    assert compose_document("# only a comment\n", "t") is None
    assert parse_config("", env={}).model_list == ()
    config = parse_config("model_list:\nrouter_settings:\nsettings:\n", env={})
    assert config.model_list == () and config.warnings == ()


@pytest.mark.parametrize(
    ("parent", "key", "expected"),
    [
        ("", "model_list", "model_list"),
        ("router_settings.fallbacks[0]", "gpt-4", "router_settings.fallbacks[0].gpt-4"),
        (
            "router_settings.model_group_alias",
            "gpt-3.5",
            'router_settings.model_group_alias["gpt-3.5"]',
        ),
        ("a", "anthropic/*", 'a["anthropic/*"]'),
    ],
)
def test_child_path(parent: str, key: str, expected: str) -> None:
    assert child_path(parent, key) == expected


def test_odd_keys_are_quoted_in_messages() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config("router_settings:\n  model_group_alias:\n    gpt-3.5: [x]\n", env={})
    assert caught.value.path == 'router_settings.model_group_alias["gpt-3.5"]'
    assert caught.value.problem == "expected a mapping, got a list"


def test_safe_tags_only_and_nothing_is_constructed() -> None:
    text = "model_list: !!python/object/apply:os.system ['touch /tmp/lockgate-pwned']\n"
    with pytest.raises(ConfigError) as caught:
        parse_config(text, env={})
    assert "unsupported YAML tag tag:yaml.org,2002:python/object/apply:os.system" in str(
        caught.value
    )
