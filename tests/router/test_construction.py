"""Building a router: LiteLLM dicts and config files alike, groups, aliases, wildcards,
what each call sends upstream, and what every response says about its deployment."""

from __future__ import annotations

import pytest

import lockgate
from lockgate.client import Client
from lockgate.client.raw_stream import RawStream
from lockgate.config import ConfigError, parse_config
from lockgate.mock import MockServer
from lockgate.router import Router
from lockgate.router.state import Needs
from lockgate.transport.messages import UpstreamResponse
from tests.router.conftest import MESSAGES, Deploy, MakeRouter, served_by


async def test_dicts_are_validated_like_a_config_file(deploy: Deploy) -> None:
    with pytest.raises(ConfigError, match=r"model_list\[0\]\.litellm_params.*rpmm"):
        Router(model_list=[deploy("g", "mock-a", rpmm=3)])
    with pytest.raises(ConfigError, match="routing strategy"):
        Router(model_list=[deploy("g", "mock-a")], routing_strategy="fastest")
    with pytest.raises(ValueError, match="routing_strategy_args"):
        Router(model_list=[deploy("g", "mock-a")], routing_strategy_args={"ttl": 5})
    with pytest.raises(ValueError, match="'nope'"):
        Router(model_list=[deploy("g", "mock-a")], fallbacks=[{"g": ["nope"]}])
    with pytest.raises(ValueError, match="'nope'"):
        Router(model_list=[deploy("g", "mock-a")], model_group_alias={"x": "nope"})
    with pytest.raises(TypeError):
        Router(model_list=[deploy("g", "mock-a")], set_verbose=True)  # type: ignore[call-arg]
    # Cloud credentials are client call options (Bedrock SigV4 keys and region, ...).
    bedrock = Router(model_list=[deploy("g", "bedrock/x", aws_secret_access_key="s")])
    assert "aws_secret_access_key" in bedrock.deployments[0].options


async def test_environment_references_are_read_from_env(mock: MockServer, client: Client) -> None:
    entry = {
        "model_name": "g",
        "litellm_params": {
            "model": "openai/mock-a",
            "api_base": "os.environ/MOCK_BASE",
            "api_key": "os.environ/MOCK_KEY",
        },
    }
    env = {"MOCK_BASE": mock.openai_base_url, "MOCK_KEY": "sk-from-env"}
    async with Router(model_list=[entry], client=client, env=env) as router:
        await router.acompletion("g", MESSAGES)
    assert mock.requests[-1]["headers"]["authorization"] == "Bearer sk-from-env"


async def test_from_config_reads_router_and_litellm_settings(
    mock: MockServer, client: Client
) -> None:
    text = f"""
model_list:
  - model_name: primary
    litellm_params:
      model: openai/mock-down-error-503
      api_base: {mock.openai_base_url}
      api_key: sk-test
  - model_name: backup
    litellm_params: {{model: openai/mock-up, api_base: "{mock.openai_base_url}", api_key: k}}
router_settings:
  routing_strategy: least-busy
  model_group_alias: {{gpt-4: primary}}
litellm_settings:
  num_retries: 0
  fallbacks: [{{primary: [backup]}}]
"""
    config = parse_config(text, env={})
    async with Router.from_config(config, client) as router:
        assert router.policy.strategy == "least-busy"
        assert router.policy.retries.num_retries == 0
        response = await router.acompletion("gpt-4", MESSAGES)
    assert served_by(response) == "mock-up"
    assert response._hidden_params["attempted_retries"] == 1  # type: ignore[union-attr]


async def test_ids_are_stable_distinct_and_credentials_never_listed(
    deploy: Deploy, make_router: MakeRouter
) -> None:
    model_list = [
        deploy("g", "mock-a", api_key="sk-secret-1"),
        deploy("g", "mock-a", api_key="sk-secret-1"),
        deploy(
            "g",
            "mock-a",
            api_key="sk-secret-2",
            model_info={"id": "mine"},
            extra_headers={"x-api-key": "sk-secret-3"},
        ),
    ]
    one, two = make_router(model_list), make_router(model_list)
    ids = [d["model_info"]["id"] for d in one.get_model_list()]
    assert ids == [d["model_info"]["id"] for d in two.get_model_list()]
    assert len(set(ids)) == 3 and ids[2] == "mine"
    listing = repr(one.get_model_list()) + repr(one.deployments)
    assert "sk-secret" not in listing
    assert one.get_model_list()[0]["litellm_params"]["api_key"] == "**********"


async def test_aliases_and_model_names(deploy: Deploy, make_router: MakeRouter) -> None:
    router = make_router(
        [deploy("g", "mock-a"), deploy("h", "mock-b")],
        model_group_alias={"gpt-4": "g", "secret": {"model": "h", "hidden": True}},
    )
    assert served_by(await router.acompletion("gpt-4", MESSAGES)) == "mock-a"
    response = await router.acompletion("secret", MESSAGES)
    assert response._hidden_params["model_group"] == "h"  # type: ignore[union-attr]
    assert router.get_model_names() == ["g", "h"]
    assert router.get_model_names(include_aliases=True) == ["g", "h", "gpt-4"]


async def test_wildcard_groups_fill_in_the_model_name(
    deploy: Deploy, make_router: MakeRouter, mock: MockServer
) -> None:
    router = make_router(
        [
            deploy("openai/*", "openai/*"),
            deploy("openai/mock-special-*", "openai/mock-special-tuned-*"),
            deploy("house/*", "openai/mock-house-*"),
            deploy("openai/mock-exact", "mock-exact-deployment"),
        ],
        allowed_fails=0,
    )
    cases = {
        "openai/mock-anything": "mock-anything",
        "openai/mock-special-x": "mock-special-tuned-x",
        "house/blue": "mock-house-blue",
        "openai/mock-exact": "mock-exact-deployment",
    }
    for requested, upstream in cases.items():
        response = await router.acompletion(requested, MESSAGES)
        assert mock.requests[-1]["body"]["model"] == upstream
        assert response._hidden_params["requested_model"] == requested  # type: ignore[union-attr]
    # An unknown model behind a wildcard is a 404 for that name, not a broken deployment.
    mock.script([{"status": 404}])
    with pytest.raises(lockgate.NotFoundError):
        await router.acompletion("openai/mock-typo", MESSAGES)
    ids = router._groups.groups["openai/*"].ids
    assert (await router.state.read(ids, Needs())).cooldown_left == [0.0]


async def test_deployment_defaults_headers_and_request_values(
    deploy: Deploy, make_router: MakeRouter, mock: MockServer
) -> None:
    router = make_router(
        [deploy("g", "mock-a", temperature=0.1, max_tokens=5, extra_headers={"x-team": "blue"})],
    )
    await router.acompletion("g", MESSAGES, temperature=0.9, extra_headers={"x-trace": "1"})
    seen = mock.requests[-1]
    assert seen["body"]["temperature"] == 0.9 and seen["body"]["max_tokens"] == 5
    assert seen["headers"]["x-team"] == "blue" and seen["headers"]["x-trace"] == "1"
    assert "metadata" not in seen["body"]


async def test_hidden_params_name_the_deployment_without_credentials(
    deploy: Deploy, make_router: MakeRouter, mock: MockServer
) -> None:
    router = make_router([deploy("g", "mock-a")])
    response = await router.acompletion("g", MESSAGES)
    hidden = response._hidden_params  # type: ignore[union-attr]
    assert hidden["model_id"] == router.deployments[0].id
    assert hidden["deployment"] == "openai/mock-a"
    assert hidden["model_group"] == "g"
    assert hidden["api_base"] == mock.openai_base_url
    assert hidden["attempted_retries"] == 0 and hidden["attempted_fallbacks"] == 0
    # A user:password in an api_base is never shown.
    other = make_router([deploy("g", "mock-a", api_base="https://user:pw@llm.example:8443/v1")])
    assert other.deployments[0].api_base == "https://llm.example:8443/v1"


async def test_embeddings_and_text_completions_are_routed(
    deploy: Deploy, make_router: MakeRouter
) -> None:
    router = make_router(
        [
            deploy("embed", "text-embedding-3-small", model_info={"mode": "embedding"}),
            deploy("instruct", "gpt-3.5-turbo-instruct", model_info={"mode": "completion"}),
        ]
    )
    embedded = await router.aembedding("embed", ["one", "two"])
    assert len(embedded.data) == 2
    assert embedded._hidden_params["model_group"] == "embed"
    text = await router.atext_completion("instruct", "Say hi")
    assert text.choices and text._hidden_params["deployment"] == "openai/gpt-3.5-turbo-instruct"


async def test_health_check_reports_each_deployment(
    deploy: Deploy, make_router: MakeRouter, mock: MockServer
) -> None:
    router = make_router(
        [
            deploy("g", "mock-good"),
            deploy("g", "mock-bad-error-500"),
            deploy("embed", "text-embedding-3-small", model_info={"mode": "embedding"}),
            deploy("any/*", "openai/*"),
        ]
    )
    report = await router.health_check()
    assert sorted(e.model for e in report.healthy) == [
        "openai/mock-good",
        "openai/text-embedding-3-small",
    ]
    assert [e.model for e in report.unhealthy] == ["openai/mock-bad-error-500"]
    assert "server had an error" in (report.unhealthy[0].error or "")
    assert report.skipped == (router.deployments[3].id,)
    body = report.to_dict()
    assert body["healthy_count"] == 2 and body["unhealthy_count"] == 1
    assert "/embeddings" in {r["path"].removeprefix("/v1") for r in mock.requests}
    only_g = await router.health_check("g")
    assert len(only_g.healthy) + len(only_g.unhealthy) == 2
    # Health checks report; they do not take deployments out.
    ids = router._groups.groups["g"].ids
    assert (await router.state.read(ids, Needs())).cooldown_left == [0.0, 0.0]


async def test_forwarded_routes_are_routed_and_fail_over(
    deploy: Deploy, make_router: MakeRouter, mock: MockServer
) -> None:
    router = make_router([deploy("g", "mock-a", order=1), deploy("g", "mock-b", order=2)])
    mock.script([{"model": "mock-a", "status": 503}])
    response = await router.apassthrough("g", "/responses", b'{"model": "g", "input": "Hi"}')
    assert isinstance(response, UpstreamResponse) and response.status == 200
    assert [r["body"]["model"] for r in mock.requests] == ["mock-a", "mock-b"]
    body = b'{"model": "g", "input": "Hi", "stream": true}'
    stream = await router.apassthrough("g", "/responses", body, stream=True)
    assert isinstance(stream, RawStream)
    assert stream._hidden_params["deployment"] == "openai/mock-a"
    data = b"".join([chunk async for chunk in stream.iter_bytes()])
    assert b"response.completed" in data
