"""Credentials never show: not in repr, not in to_redacted_dict, not in messages."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from config_env import EXAMPLES, SECRET_VARIABLES, example_env, secret_value

from lockgate.config import ConfigError, load_config, parse_config
from lockgate.security import REDACTED, Secret

ALL_EXAMPLES = sorted(EXAMPLES.rglob("*.yaml"))
LITERAL_SECRETS = ("sk-1234", "dbpassword9090", ":pw@", "pk-lf-123")


def secrets() -> list[str]:
    return [secret_value(name) for name in (*SECRET_VARIABLES, "DB_PASSWORD")]


@pytest.mark.parametrize("path", ALL_EXAMPLES, ids=lambda p: p.name)
def test_no_secret_in_repr_or_redacted_dict(path: Path) -> None:
    config = load_config(path, env=example_env())
    shown = [repr(config), str(config), json.dumps(config.to_redacted_dict()), *config.warnings]
    for text in shown:
        for secret in (*secrets(), *LITERAL_SECRETS):
            assert secret not in text


def test_credentials_are_secrets() -> None:
    config = load_config(EXAMPLES / "everything.yaml", env=example_env())
    params = config.model_list[0].params
    for name in (
        "api_key",
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
        "vertex_credentials",
        "azure_ad_token",
    ):
        assert isinstance(getattr(params, name), Secret), name
    assert isinstance(config.router.redis_password, Secret)
    assert isinstance(config.router.redis_url, Secret)
    assert isinstance(config.general.master_key, Secret)
    assert isinstance(config.general.database_url, Secret)
    shown = config.to_redacted_dict()
    litellm_params = shown["model_list"][0]["litellm_params"]  # type: ignore[index]
    assert litellm_params["api_key"] == REDACTED
    assert litellm_params["extra_headers"] == {"X-Trace": "on", "Authorization": REDACTED}
    assert shown["general_settings"]["master_key"] == REDACTED  # type: ignore[index]


def test_free_form_mappings_redact_credential_keys() -> None:
    config = parse_config(
        """
model_list:
  - model_name: m
    litellm_params:
      model: openai/m
      extra_body: {client_secret: hunter2, note: fine}
    model_info: {api_key: hunter3, owner: me}
router_settings:
  default_litellm_params: {api_key: hunter4}
""",
        env={},
    )
    deployment = config.model_list[0]
    assert deployment.params.extra["extra_body"] == {
        "client_secret": Secret("hunter2"),
        "note": "fine",
    }
    assert deployment.model_info["api_key"] == Secret("hunter3")
    assert config.router.default_litellm_params["api_key"] == Secret("hunter4")
    for word in ("hunter2", "hunter3", "hunter4"):
        assert word not in repr(config)
        assert word not in json.dumps(config.to_redacted_dict())


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("general_settings:\n  database_url: mysql://root:hunter2@db/x\n", "postgresql://"),
        ("general_settings:\n  master_key: [hunter2]\n", "expected a single value"),
        ("environment_variables:\n  KEY: [hunter2]\n", "expected a single value"),
        (
            "model_list:\n  - model_name: m\n    litellm_params:\n      model: m\n"
            "      api_base: 'https://user:hunter2@ host'\n",
            "expected an http:// or https:// URL",
        ),
    ],
)
def test_error_messages_do_not_echo_credentials(text: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, env={})
    assert fragment in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_environment_variables_section() -> None:
    config = parse_config(
        """
environment_variables:
  OPENAI_API_KEY: sk-from-file
  REDIS_PORT: 6380
  DEBUG: true
model_list:
  - model_name: m
    litellm_params:
      model: openai/m
      api_key: os.environ/OPENAI_API_KEY
router_settings:
  redis_port: os.environ/REDIS_PORT
""",
        env={"REDIS_PORT": "7000"},
    )
    # The file fills in what the process environment lacks; the process environment wins.
    assert config.model_list[0].params.api_key == Secret("sk-from-file")
    assert config.router.redis_port == 7000
    assert config.environment["REDIS_PORT"] == Secret("6380")
    assert config.environment["DEBUG"] == Secret("True")
    assert "sk-from-file" not in repr(config)


def test_master_key_and_database_from_litellm_variables() -> None:
    env = {"LITELLM_MASTER_KEY": "sk-env", "DATABASE_URL": "postgresql://u:p@h/d"}
    config = parse_config("model_list: []\n", env=env)
    assert config.general.master_key == Secret("sk-env")
    assert config.general.database_url == Secret("postgresql://u:p@h/d")
    config = parse_config("general_settings:\n  master_key: sk-file\n", env=env)
    assert config.general.master_key == Secret("sk-file")


def test_config_objects_are_immutable() -> None:
    config = load_config(EXAMPLES / "everything.yaml", env=example_env())
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.model_list[0].params.rpm = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        config.router.retry_policy["RateLimitErrorRetries"] = 0  # type: ignore[index]
    with pytest.raises(TypeError):
        config.model_list[0].params.extra["temperature"] = 2  # type: ignore[index]
    assert isinstance(config.model_list, tuple)
    assert isinstance(config.warnings, tuple)
