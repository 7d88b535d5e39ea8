"""A routed call's kwargs: the router's own options taken out, the deployment's merged in."""

from __future__ import annotations

import pytest

import lockgate
from lockgate.router import Router
from lockgate.router.call_options import call_kwargs, split_request


def test_a_call_without_router_options_keeps_its_params_less_none() -> None:
    kwargs = {"temperature": 0.2, "user": None, "max_tokens": 5}
    request = split_request(kwargs)
    assert request.params == {"temperature": 0.2, "max_tokens": 5}
    assert request.params is not kwargs
    assert (request.tags, request.fallbacks, request.num_retries) == (None, None, None)
    assert (request.timeout, request.extra_headers) == (None, None)


def test_router_options_are_taken_out() -> None:
    kwargs = {
        "temperature": 0.2,
        "metadata": {"tags": ["a"]},
        "fallbacks": ["g2"],
        "max_retries": 2,
        "request_timeout": 3,
        "extra_headers": {"x-a": "1"},
    }
    request = split_request(kwargs)
    assert request.params == {"temperature": 0.2}
    assert request.tags == frozenset({"a"}) and request.fallbacks == ("g2",)
    assert request.num_retries == 2 and request.timeout == 3.0
    assert request.extra_headers == {"x-a": "1"}


def test_destinations_are_refused() -> None:
    with pytest.raises(lockgate.BadRequestError, match="api_base, api_key"):
        split_request({"api_key": "k", "api_base": "http://x"})


def test_kwargs_merge_defaults_params_then_deployment_options() -> None:
    router = Router(
        model_list=[
            {
                "model_name": "g",
                "litellm_params": {
                    "model": "openai/m",
                    "api_key": "sk-deployment",
                    "api_base": "http://127.0.0.1:9/v1",
                    "temperature": 0.5,
                    "top_p": 0.9,
                    "extra_headers": {"x-own": "1"},
                    "timeout": 7,
                },
            }
        ]
    )
    deployment = router.deployments[0]
    request = split_request({"temperature": 0.1, "extra_headers": {"x-call": "2"}})
    kwargs = call_kwargs(
        deployment, request, stream=False, router_timeout=None, router_stream_timeout=None
    )
    assert list(kwargs)[:2] == ["temperature", "top_p"]  # the defaults' order
    assert kwargs["temperature"] == 0.1 and kwargs["top_p"] == 0.9
    assert kwargs["api_key"].reveal() == "sk-deployment"
    assert kwargs["extra_headers"] == {"x-call": "2", "x-own": "1"}
    assert kwargs["timeout"] == 7
    # The deployment's own mappings are left as they were.
    assert dict(deployment.options)["extra_headers"] == {"x-own": "1"}
    assert deployment.plain_options == dict(deployment.options)
    assert deployment.plain_defaults == dict(deployment.defaults)
