"""Each kind of invalid config: the error names the file, the key path and the line."""

from __future__ import annotations

import textwrap

import pytest

from lockgate.config import ConfigError, parse_config


def error(text: str, env: dict[str, str] | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse_config(textwrap.dedent(text), source="config.yaml", env=env or {})
    return caught.value


MODELS = """\
model_list:
  - model_name: a
    litellm_params:
      model: openai/a
  - model_name: b
    litellm_params:
      model: openai/b
  - model_name: c
    litellm_params:
      model: openai/c
      rpm: "abc"
"""


def test_wrong_type_names_path_and_line() -> None:
    exc = error(MODELS)
    assert (exc.source, exc.line, exc.path) == (
        "config.yaml",
        11,
        "model_list[2].litellm_params.rpm",
    )
    assert str(exc) == (
        "config.yaml:11: model_list[2].litellm_params.rpm: expected an integer, got 'abc'"
    )
    assert isinstance(exc, ValueError)


def test_wrong_type_from_an_environment_variable() -> None:
    exc = error(MODELS.replace('"abc"', "os.environ/RPM"), env={"RPM": "lots"})
    assert str(exc) == (
        "config.yaml:11: model_list[2].litellm_params.rpm: expected an integer, "
        "got 'lots' (from environment variable RPM)"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("[1, 2]", "expected a single value, got a list"),
        ("-5", "must be at least 0, got -5"),
        ("1.5", "expected an integer, got a number"),
        ("true", "expected an integer, got a boolean"),
    ],
)
def test_other_wrong_types(value: str, expected: str) -> None:
    exc = error(MODELS.replace('"abc"', value))
    assert str(exc) == f"config.yaml:11: model_list[2].litellm_params.rpm: {expected}"


def test_missing_environment_variable() -> None:
    exc = error(
        """\
        model_list:
          - model_name: gpt-4o
            litellm_params:
              model: openai/gpt-4o
              api_key: os.environ/OPENAI_API_KEY
        """
    )
    assert (exc.line, exc.path) == (5, "model_list[0].litellm_params.api_key")
    assert str(exc) == (
        "config.yaml:5: model_list[0].litellm_params.api_key: environment variable "
        "OPENAI_API_KEY is not set (referenced as os.environ/OPENAI_API_KEY)"
    )


def test_empty_environment_variable_for_a_secret() -> None:
    exc = error("general_settings:\n  master_key: os.environ/MK\n", env={"MK": ""})
    assert str(exc) == (
        "config.yaml:2: general_settings.master_key: must not be empty "
        "(environment variable MK is empty)"
    )


def test_unknown_key_with_suggestion() -> None:
    exc = error("router_settings:\n  num_retries: 2\n  routing_stratgy: least-busy\n")
    assert (exc.line, exc.path) == (3, "router_settings.routing_stratgy")
    assert str(exc) == (
        "config.yaml:3: router_settings.routing_stratgy: unknown key 'routing_stratgy'; "
        "did you mean 'routing_strategy'?"
    )


def test_unknown_key_in_litellm_params() -> None:
    exc = error(MODELS.replace('      rpm: "abc"\n', "      rpm: 5\n      frobnicate: yes\n"))
    assert str(exc) == (
        "config.yaml:12: model_list[2].litellm_params.frobnicate: unknown key 'frobnicate'"
    )


def test_unknown_top_level_key() -> None:
    exc = error("model_list: []\nmodel_lists: []\n")
    assert str(exc) == (
        "config.yaml:2: model_lists: unknown key 'model_lists'; did you mean 'model_list'?"
    )


def test_unknown_key_in_a_deployment_and_in_lockgate_settings() -> None:
    exc = error("model_list:\n  - model_name: a\n    litellm_params: {model: m}\n    infos: {}\n")
    assert str(exc) == "config.yaml:4: model_list[0].infos: unknown key 'infos'"
    exc = error("lockgate_settings:\n  egress:\n    allow_host: [a.com]\n")
    assert str(exc) == (
        "config.yaml:3: lockgate_settings.egress.allow_host: unknown key 'allow_host'; "
        "did you mean 'allow_hosts'?"
    )


def test_missing_model_name() -> None:
    exc = error("model_list:\n  - litellm_params:\n      model: openai/a\n")
    assert (exc.line, exc.path) == (2, "model_list[0].model_name")
    assert str(exc) == "config.yaml:2: model_list[0].model_name: required key is missing"


def test_missing_litellm_params_and_model() -> None:
    exc = error("model_list:\n  - model_name: a\n")
    assert str(exc) == "config.yaml:2: model_list[0].litellm_params: required key is missing"
    exc = error(MODELS.replace("      model: openai/b\n", "      rpm: 3\n"))
    assert (exc.line, exc.path) == (6, "model_list[1].litellm_params.model")
    assert str(exc) == "config.yaml:6: model_list[1].litellm_params.model: required key is missing"
    exc = error("model_list:\n  - model_name: a\n    params:\n")
    assert str(exc) == "config.yaml:3: model_list[0].params.model: required key is missing"


def test_duplicate_key() -> None:
    exc = error(MODELS.replace('      rpm: "abc"\n', "      rpm: 1\n      rpm: 2\n"))
    assert (exc.line, exc.path) == (12, "model_list[2].litellm_params.rpm")
    assert str(exc) == (
        "config.yaml:12: model_list[2].litellm_params.rpm: duplicate key 'rpm' "
        "(first defined on line 11)"
    )


def test_duplicate_top_level_section() -> None:
    exc = error("router_settings: {}\ngeneral_settings: {}\nrouter_settings: {}\n")
    assert str(exc) == (
        "config.yaml:3: router_settings: duplicate key 'router_settings' (first defined on line 1)"
    )


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("model_list:\n  - model_name: [a\n", 3, "while parsing a flow sequence"),
        ("a: 1\n  b: 2\n", 2, "mapping values are not allowed here"),
        ("a: *nowhere\n", 1, "found undefined alias 'nowhere'"),
        ("a: 1\n---\nb: 2\n", 2, "expected a single document in the stream"),
    ],
)
def test_yaml_syntax_errors(text: str, line: int, problem: str) -> None:
    exc = error(text)
    assert exc.line == line
    assert str(exc).startswith(f"config.yaml:{line}: YAML syntax error: ")
    assert problem in str(exc)


def test_wrong_routing_strategy() -> None:
    exc = error("router_settings:\n  routing_strategy: fastest\n")
    assert (exc.line, exc.path) == (2, "router_settings.routing_strategy")
    assert str(exc) == (
        "config.yaml:2: router_settings.routing_strategy: unknown routing strategy 'fastest'; "
        "one of: simple-shuffle, least-busy, usage-based-routing, usage-based-routing-v2, "
        "latency-based-routing, cost-based-routing"
    )


def test_both_spellings_of_a_section() -> None:
    exc = error("litellm_settings: {}\nsettings: {}\n")
    assert str(exc) == "config.yaml:2: settings: give either litellm_settings or settings, not both"
    exc = error("model_list:\n  - model_name: a\n    litellm_params: {model: m}\n    params: {}\n")
    assert str(exc) == (
        "config.yaml:4: model_list[0].params: give either litellm_params or params, not both"
    )


def test_refused_keys_are_errors_unless_empty() -> None:
    exc = error("guardrails:\n  - guardrail_name: pii\n")
    assert exc.path == "guardrails" and exc.line == 1
    assert "guardrails are not implemented by lockgate yet" in str(exc)
    exc = error("general_settings:\n  allowed_ips: [10.0.0.1]\n")
    assert (exc.path, exc.line) == ("general_settings.allowed_ips", 2)
    config = parse_config(
        "guardrails: []\ngeneral_settings:\n  enforce_user_param: false\n", env={}
    )
    assert [w.split(": ")[1] for w in config.warnings] == [
        "guardrails",
        "general_settings.enforce_user_param",
    ]


def test_health_check_interval_belongs_to_general_settings() -> None:
    exc = error("router_settings:\n  health_check_interval: 30\n")
    assert str(exc) == (
        "config.yaml:2: router_settings.health_check_interval: "
        "not a router setting: move it to general_settings"
    )


def test_duplicate_deployment_id() -> None:
    text = "model_list:\n" + "".join(
        f"  - model_name: m\n    litellm_params: {{model: openai/m}}\n    model_info: {{id: {i}}}\n"
        for i in ("x", "y", "x")
    )
    exc = error(text)
    assert str(exc) == (
        "config.yaml:8: model_list[2].model_info.id: model_info.id 'x' is already used by "
        "model_list[0]"
    )


@pytest.mark.parametrize(
    ("text", "line", "path", "problem"),
    [
        ("- a\n- b\n", 1, None, "expected a mapping, got a list"),
        ("model_list: {a: 1}\n", 1, "model_list", "expected a list, got a mapping"),
        ("a: !!python/object:os.system {}\n", 1, "a", "unsupported YAML tag"),
        ("a: !!binary aGk=\n", 1, "a", "unsupported YAML tag tag:yaml.org,2002:binary"),
        ("a: &x [1, *x]\n", 1, "a[1]", "recursive alias"),
        ("? [a, b]\n: c\n", 1, None, "mapping keys must be plain scalars"),
        (
            "model_list:\n  - model_name: m\n    litellm_params:\n      model: m\n"
            "      api_base: localhost:8000\n",
            5,
            "model_list[0].litellm_params.api_base",
            "expected an http:// or https:// URL with a host",
        ),
        (
            "litellm_settings:\n  budget_duration: monthly\n",
            2,
            "litellm_settings.budget_duration",
            "expected a duration such as 30s, 12h, 30d or 1mo, got 'monthly'",
        ),
        (
            "litellm_settings:\n  cache_params: {type: memcached}\n",
            2,
            "litellm_settings.cache_params.type",
            "unknown cache type",
        ),
        (
            "router_settings:\n  fallbacks: [{a: [b]}, {a: [c]}]\n",
            2,
            "router_settings.fallbacks[1].a",
            "fallbacks for model group 'a' are given twice",
        ),
        (
            "router_settings:\n  retry_policy: {RateLimitRetries: 1}\n",
            2,
            "router_settings.retry_policy.RateLimitRetries",
            "unknown key 'RateLimitRetries'; did you mean 'RateLimitErrorRetries'?",
        ),
        (
            "router_settings:\n  redis_port: 70000\n",
            2,
            "router_settings.redis_port",
            "must be at most 65535, got 70000",
        ),
        (
            "lockgate_settings:\n  egress:\n    allow_private_networks: [10.0.0.0/33]\n",
            3,
            "lockgate_settings.egress.allow_private_networks[0]",
            "expected a network such as 10.0.0.0/8, got '10.0.0.0/33'",
        ),
        (
            "lockgate_settings:\n  egress:\n    allow_hosts: ['https://api.openai.com']\n",
            3,
            "lockgate_settings.egress.allow_hosts[0]",
            "expected a host name",
        ),
        (
            "environment_variables:\n  BAD-NAME: 1\n",
            2,
            "environment_variables.BAD-NAME",
            "not a valid environment variable name",
        ),
        (
            "model_list:\n  - model_name: has space\n    litellm_params: {model: m}\n",
            2,
            "model_list[0].model_name",
            "a model name cannot contain spaces or control characters",
        ),
        (
            "a:\n  b:\n    <<: 5\n",
            3,
            "a.b",
            "a merge key (<<) takes a mapping or a list of mappings",
        ),
    ],
)
def test_more_invalid_values(text: str, line: int, path: str | None, problem: str) -> None:
    exc = error(text)
    assert (exc.line, exc.path) == (line, path)
    assert problem in exc.problem


def test_alias_bomb_is_bounded() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 8)]
    exc = error("\n".join(lines) + "\n")
    assert exc.problem == "aliases expand to more than 100000 nodes"


def test_include_needs_a_file() -> None:
    exc = error("include: [models.yaml]\n")
    assert str(exc) == "config.yaml:1: include: include needs the config to be loaded from a file"


def test_syntax_error_in_an_unreadable_file(tmp_path: object) -> None:
    from pathlib import Path

    from lockgate.config import load_config

    assert isinstance(tmp_path, Path)
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"model_list:\n  - model_name: \xff\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert "is not UTF-8 text" in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "missing.yaml", env={})
    assert str(caught.value).startswith(f"{tmp_path / 'missing.yaml'}: cannot read")
