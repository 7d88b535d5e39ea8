"""config_from_model: the one-model config behind `lockgate serve --model ...`."""

from __future__ import annotations

import pytest

from lockgate.config import ConfigError, config_from_model
from lockgate.security import Secret


def test_one_deployment_with_a_hidden_short_alias() -> None:
    config = config_from_model("openai/gpt-4o-mini")
    (deployment,) = config.model_list
    assert deployment.model_name == "openai/gpt-4o-mini"
    assert deployment.params.model == "openai/gpt-4o-mini"
    assert deployment.params.provider == "openai"
    alias = config.router.model_group_alias["gpt-4o-mini"]
    assert (alias.model, alias.hidden) == ("openai/gpt-4o-mini", True)
    assert config.general.master_key is None
    assert config.warnings == ()


@pytest.mark.parametrize("model", ["anthropic/*", "gpt-4o-mini"])
def test_no_alias_for_wildcards_or_unprefixed_models(model: str) -> None:
    config = config_from_model(model)
    assert config.model_list[0].model_name == model
    assert dict(config.router.model_group_alias) == {}


def test_nested_model_path_keeps_the_rest_as_alias() -> None:
    config = config_from_model("openrouter/meta-llama/llama-3-70b")
    assert "meta-llama/llama-3-70b" in config.router.model_group_alias


@pytest.mark.parametrize("model", ["", "   ", "openai/", "/gpt-4o", "open ai/gpt"])
def test_bad_model_strings(model: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_model(model)
    assert str(caught.value).startswith("--model: ")


def test_environment_only_when_given() -> None:
    env = {"LITELLM_MASTER_KEY": "sk-env"}
    assert config_from_model("openai/m", env=env).general.master_key == Secret("sk-env")
