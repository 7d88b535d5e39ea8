"""Credentials resolved once per set of inputs, with the environment still read per call."""

from __future__ import annotations

import pytest

import lockgate
from lockgate.client.credentials import CredentialCache, resolve_from_options
from lockgate.client.params import check_supported
from lockgate.providers import PROVIDERS
from lockgate.security import Secret

OPENAI = PROVIDERS["openai"]


def test_the_same_options_give_the_same_credentials_object() -> None:
    cache = CredentialCache()
    options = {"api_key": Secret("sk-a"), "api_base": "http://127.0.0.1:9/v1", "timeout": 5}
    first = cache.resolve(OPENAI, {}, options)
    assert cache.resolve(OPENAI, {}, dict(options)) is first
    assert first == resolve_from_options(OPENAI, {}, options)


def test_every_input_is_part_of_the_key() -> None:
    cache = CredentialCache()
    base = {"api_key": "sk-a", "api_base": "http://127.0.0.1:9/v1"}
    first = cache.resolve(OPENAI, {}, base)
    for change in (
        {"api_key": "sk-b"},
        {"api_base": "http://127.0.0.1:8/v1"},
        {"api_version": "2024-01-01"},
        {"organization": "org-1"},
        {"extra_headers": {"x-a": "1"}},
    ):
        other = cache.resolve(OPENAI, {}, {**base, **change})
        assert other != first
        assert other == resolve_from_options(OPENAI, {}, {**base, **change})


def test_a_key_from_the_environment_is_read_on_every_call() -> None:
    cache = CredentialCache()
    options = {"api_base": "http://127.0.0.1:9/v1"}
    env = {"OPENAI_API_KEY": "sk-one"}
    assert cache.resolve(OPENAI, env, options).api_key == Secret("sk-one")
    env["OPENAI_API_KEY"] = "sk-two"  # exported later: seen
    assert cache.resolve(OPENAI, env, options).api_key == Secret("sk-two")
    del env["OPENAI_API_KEY"]
    with pytest.raises(lockgate.AuthenticationError):
        cache.resolve(OPENAI, env, options)


def test_cloud_options_and_unhashable_values_are_resolved_each_time() -> None:
    cache = CredentialCache()
    bedrock = {"aws_region_name": "eu-west-1", "api_key": "k"}
    assert cache.resolve(PROVIDERS["bedrock"], {}, bedrock).region == "eu-west-1"
    # A list of pairs is unhashable: resolved as before, not by the cache.
    odd = {"api_key": "sk-a", "api_base": "http://127.0.0.1:9/v1", "extra_headers": [("x", "1")]}
    assert cache.resolve(OPENAI, {}, odd).extra_headers == {"x": "1"}


def test_check_supported_returns_the_params_themselves_when_nothing_is_dropped() -> None:
    params = {"temperature": 0.1, "custom": 1}
    kept = check_supported(
        params,
        frozenset({"temperature"}),
        drop_params=False,
        additional_drop=frozenset(),
        provider="p",
        model="m",
    )
    assert kept is params
    dropped = check_supported(
        params,
        frozenset({"temperature"}),
        drop_params=False,
        additional_drop=frozenset({"custom"}),
        provider="p",
        model="m",
    )
    assert dropped == {"temperature": 0.1}


def test_an_empty_secret_and_an_empty_string_are_different_inputs() -> None:
    cache = CredentialCache()
    env = {"OPENAI_API_KEY": "sk-env"}
    base = {"api_base": "http://127.0.0.1:9/v1"}
    assert cache.resolve(OPENAI, env, {**base, "api_key": ""}).api_key == Secret("sk-env")
    kept = cache.resolve(OPENAI, env, {**base, "api_key": Secret("")}).api_key
    assert kept == resolve_from_options(OPENAI, env, {**base, "api_key": Secret("")}).api_key
    assert cache.resolve(OPENAI, env, {**base, "api_key": Secret("sk-a")}).api_key == Secret("sk-a")
    assert cache.resolve(OPENAI, env, {**base, "api_key": "sk-a"}).api_key == Secret("sk-a")
