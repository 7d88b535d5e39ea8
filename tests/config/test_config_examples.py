"""Every example config (LiteLLM-style, as its documentation writes them) loads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from config_env import EXAMPLES, secret_value

from lockgate.config import Config, ConfigError, load_config
from lockgate.security import Secret

TOP_LEVEL_EXAMPLES = sorted(EXAMPLES.glob("*.yaml"))


def load(name: str, env: dict[str, str]) -> Config:
    return load_config(EXAMPLES / name, env=env)


@pytest.mark.parametrize("path", TOP_LEVEL_EXAMPLES, ids=lambda p: p.name)
def test_every_example_loads(path: Path, env: dict[str, str]) -> None:
    config = load_config(path, env=env)
    assert config.model_list
    assert config.source == str(path)
    json.dumps(config.to_redacted_dict())  # JSON-ready


def test_load_balancing_groups_several_deployments(env: dict[str, str]) -> None:
    config = load("load_balancing.yaml", env)
    group = config.deployments("gpt-4o")
    assert [d.id for d in group] == ["gpt-4o-eu", "gpt-4o-ca", "gpt-4o-openai"]
    assert config.model_names == ("gpt-4o", "vllm-models")
    eu = group[0].params
    assert eu.provider == "azure"
    assert eu.api_key == Secret(secret_value("AZURE_API_KEY_EU"))
    assert eu.api_version == "2024-08-01-preview"
    assert eu.rpm == 6
    assert group[2].params.weight == 2.0
    vllm = config.deployments("vllm-models")[0]
    assert vllm.params.api_base == "http://0.0.0.0:4000/v1"
    assert dict(vllm.params.extra) == {"temperature": 0.2, "max_tokens": 512}
    assert dict(vllm.model_info) == {"version": 2, "mode": "chat"}
    assert config.settings.drop_params is True
    assert config.general.master_key == Secret("sk-1234")
    assert config.warnings == (
        f"{EXAMPLES / 'load_balancing.yaml'}:44: litellm_settings.set_verbose: "
        "a LiteLLM setting lockgate does not implement: accepted and ignored",
    )


def test_azure(env: dict[str, str]) -> None:
    config = load("azure.yaml", env)
    first = config.model_list[0].params
    assert first.api_base == env["AZURE_API_BASE"]
    assert first.api_version == "2024-02-01"  # an unquoted date stays the string written
    assert (first.timeout, first.stream_timeout, first.max_retries) == (30.0, 60.0, 2)
    assert first.extra_headers["X-Team"] == "research"
    assert first.extra_headers["api-key"] == Secret(secret_value("AZURE_API_KEY"))
    entra = config.model_list[1].params
    assert entra.api_key is None
    assert entra.azure_ad_token == Secret(secret_value("AZURE_AD_TOKEN"))
    assert config.model_list[2].model_info["mode"] == "embedding"
    assert config.general.master_key == Secret(secret_value("LITELLM_MASTER_KEY"))
    assert config.general.database_url == Secret(env["DATABASE_URL"])


def test_bedrock_and_vertex(env: dict[str, str]) -> None:
    config = load("bedrock_vertex.yaml", env)
    bedrock = config.model_list[0].params
    assert bedrock.provider == "bedrock"
    assert bedrock.aws_access_key_id == Secret(secret_value("AWS_ACCESS_KEY_ID"))
    assert bedrock.aws_secret_access_key == Secret(secret_value("AWS_SECRET_ACCESS_KEY"))
    assert bedrock.aws_session_token == Secret(secret_value("AWS_SESSION_TOKEN"))
    assert bedrock.aws_region_name == "us-east-1"
    assert config.model_list[1].params.aws_secret_access_key is None
    gemini = config.model_list[2].params
    assert gemini.vertex_credentials == Secret("/etc/lockgate/vertex.json")
    assert gemini.extra["safety_settings"] == (
        {"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_ONLY_HIGH"},
    )
    inline = config.model_list[3].params.vertex_credentials
    assert inline is not None
    document = json.loads(inline.reveal())
    assert document["private_key"] == secret_value("VERTEX_PRIVATE_KEY")
    assert document["type"] == "service_account"


def test_router_with_redis_and_fallbacks(env: dict[str, str]) -> None:
    router = load("router_redis_fallbacks.yaml", env).router
    assert router.routing_strategy == "usage-based-routing-v2"
    assert router.redis_host == "127.0.0.1"
    assert router.redis_port == 6379  # from the string in REDIS_PORT
    assert router.redis_password == Secret(secret_value("REDIS_PASSWORD"))
    assert dict(router.fallbacks) == {"gpt-3.5-turbo": ("claude-opus",)}
    assert dict(router.context_window_fallbacks) == {"gpt-3.5-turbo": ("gpt-3.5-turbo-16k",)}
    assert dict(router.content_policy_fallbacks) == {"gpt-3.5-turbo": ("claude-opus",)}
    assert router.default_fallbacks == ("claude-opus",)
    assert router.model_group_alias["gpt-4"].model == "gpt-3.5-turbo"
    assert router.model_group_alias["gpt-4"].hidden is False
    assert router.model_group_alias["gpt-4-hidden"].hidden is True
    assert router.retry_policy["AuthenticationErrorRetries"] == 0
    assert router.retry_policy["InternalServerErrorRetries"] == 4
    assert dict(router.allowed_fails_policy) == {
        "BadRequestErrorAllowedFails": 1000,
        "RateLimitErrorAllowedFails": 100,
    }
    assert (router.num_retries, router.timeout, router.allowed_fails) == (2, 30.0, 3)
    assert (router.cooldown_time, router.retry_after) == (30.0, 1.0)
    assert router.enable_pre_call_checks is True
    assert router.routing_strategy_args["ttl"] == 60


def test_callbacks_cache_and_budget(env: dict[str, str]) -> None:
    config = load("callbacks_cache.yaml", env)
    settings = config.settings
    assert settings.success_callback == ("langfuse",)
    assert settings.failure_callback == ("sentry",)
    assert settings.callbacks == ("otel", "prometheus")
    assert settings.turn_off_message_logging is True
    assert settings.json_logs is True
    assert (settings.max_budget, settings.budget_duration) == (100.0, "30d")
    assert settings.cache is True
    assert settings.cache_params["type"] == "redis"
    assert settings.cache_params["host"] == "127.0.0.1"
    assert settings.cache_params["password"] == Secret(secret_value("REDIS_PASSWORD"))
    assert settings.cache_params["supported_call_types"] == ("acompletion", "aembedding")
    params = config.model_list[0].params
    assert (params.input_cost_per_token, params.output_cost_per_token) == (1.5e-07, 6e-07)
    assert config.general.database_connection_pool_limit == 10
    assert config.general.background_health_checks is True
    assert config.environment["LANGFUSE_HOST"] == Secret("https://cloud.langfuse.com")
    assert config.environment["LANGFUSE_SECRET_KEY"] == Secret(secret_value("LANGFUSE_SECRET"))
    warned = sorted(w.split(": ")[1] for w in config.warnings)
    assert warned == [
        "general_settings.alerting",
        "general_settings.alerting_threshold",
        "litellm_settings.redact_user_api_key_info",
        "litellm_settings.service_callback",
    ]


def test_wildcards_are_kept_as_written(env: dict[str, str]) -> None:
    config = load("wildcards.yaml", env)
    assert [(d.model_name, d.params.model) for d in config.model_list] == [
        ("anthropic/*", "anthropic/*"),
        ("groq/*", "groq/*"),
        ("*", "openai/*"),
    ]
    assert config.settings.drop_params is True  # spelled `settings:`


def test_everything_reads_every_implemented_key_without_warning(env: dict[str, str]) -> None:
    config = load("everything.yaml", env)
    assert config.warnings == ()
    params = config.model_list[0].params
    assert params.custom_llm_provider == "openai"
    assert params.tags == ("a", "b")
    assert params.extra_headers["Authorization"] == Secret(secret_value("OPENAI_API_KEY"))
    assert params.extra_headers["X-Trace"] == "on"
    assert dict(params.extra) == {"temperature": 0.1, "extra_body": {"safe_mode": True}}
    assert config.model_list[0].model_info["supports_vision"] is True
    assert config.router.redis_url == Secret("redis://:pw@localhost:6379/0")
    assert config.router.model_group_retry_policy["everything"]["TimeoutErrorRetries"] == 1
    assert config.router.tag_filtering_match_any is False
    assert config.settings.budget_duration == "1mo"
    assert config.general.database_url == Secret("sqlite+aiosqlite:///./lockgate.db")
    assert config.general.litellm_key_header_name == "X-Litellm-Key"
    lockgate = config.lockgate
    assert lockgate.data_dir == "./.lockgate"
    assert lockgate.egress.allow_hosts == ("api.openai.com", "*.openai.azure.com")
    assert lockgate.egress.allow_private_networks == ("10.0.0.0/8", "127.0.0.1/32")
    assert lockgate.max_request_body_bytes == 1048576  # wins over max_request_size_mb


def test_include_merges_model_lists(env: dict[str, str]) -> None:
    config = load_config(EXAMPLES / "include" / "parent.yaml", env=env)
    assert [d.model_name for d in config.model_list] == [
        "local-llama",
        "gpt-4o",
        "fake-anthropic-endpoint",
    ]
    included = config.model_list[1]
    assert included.source == str(EXAMPLES / "include" / "models.yaml")
    assert included.line == 2
    assert config.settings.callbacks == ("prometheus",)
    assert config.lockgate.egress.allow_private_networks == ("127.0.0.1/32",)


def test_include_error_names_the_included_file(tmp_path: Path, env: dict[str, str]) -> None:
    (tmp_path / "main.yaml").write_text("include: [models.yaml]\n")
    (tmp_path / "models.yaml").write_text(
        "model_list:\n  - model_name: m\n    litellm_params:\n      model: openai/m\n"
        "      rpm: abc\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "main.yaml", env=env)
    assert str(caught.value) == (
        f"{tmp_path / 'models.yaml'}:5: model_list[0].litellm_params.rpm: "
        "expected an integer, got 'abc'"
    )


def test_missing_include_file(tmp_path: Path, env: dict[str, str]) -> None:
    (tmp_path / "main.yaml").write_text("model_list: []\ninclude:\n  - nope.yaml\n")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "main.yaml", env=env)
    assert caught.value.line == 3
    assert "cannot read" in str(caught.value) and "nope.yaml" in str(caught.value)


def test_included_value_replacing_the_parents_is_reported(tmp_path: Path) -> None:
    (tmp_path / "main.yaml").write_text("include: [more.yaml]\nrouter_settings:\n  timeout: 1\n")
    (tmp_path / "more.yaml").write_text("router_settings:\n  timeout: 2\n")
    config = load_config(tmp_path / "main.yaml", env={})
    assert config.router.timeout == 2.0
    assert config.warnings == (
        f"{tmp_path / 'more.yaml'}:1: router_settings: replaces the value given in "
        f"{tmp_path / 'main.yaml'} on line 2",
    )
