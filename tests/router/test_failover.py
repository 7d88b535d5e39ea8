"""Retries, cooldowns and their recovery, fallbacks and streaming failover on the mock."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

import lockgate
from lockgate.client import Client, CompletionStream
from lockgate.mock import MockServer
from lockgate.router import Router
from lockgate.router.state import Needs
from lockgate.types import ChatCompletion
from tests.router.conftest import MESSAGES, Deploy, MakeRouter, served_by


def calls_to(mock: MockServer, model: str) -> int:
    return sum(1 for r in mock.requests if (r["body"] or {}).get("model") == model)


async def cooldowns(router: Router, group: str) -> list[float]:
    ids = router._groups.groups[group].ids
    return (await router.state.read(ids, Needs())).cooldown_left


async def test_failed_attempt_is_retried_on_another_deployment_and_cooled_down_until_it_recovers(
    deploy: Deploy, make_router: MakeRouter, mock: MockServer
) -> None:
    router = make_router(
        [deploy("g", "mock-flaky", order=1), deploy("g", "mock-steady", order=2)],
        allowed_fails=1,
        cooldown_time=0.3,
    )
    mock.script({"mock-flaky": [{"status": 500, "times": 3}]})
    for _ in range(2):  # two failures: the second is past allowed_fails
        response = await router.acompletion("g", MESSAGES)
        assert served_by(response) == "mock-steady"
        assert response._hidden_params["attempted_retries"] == 1  # type: ignore[union-attr]
    assert (await cooldowns(router, "g"))[0] > 0.2
    response = await router.acompletion("g", MESSAGES)  # flaky is out: straight to steady
    assert response._hidden_params["attempted_retries"] == 0  # type: ignore[union-attr]
    assert calls_to(mock, "mock-flaky") == 2
    await asyncio.sleep(0.35)
    response = await router.acompletion("g", MESSAGES)  # back by itself (one failure left)
    assert calls_to(mock, "mock-flaky") == 3
    response = await router.acompletion("g", MESSAGES)
    assert served_by(response) == "mock-flaky"


async def test_rate_limit_and_auth_errors_cool_down_at_once(
    deploy: Deploy, make_router: MakeRouter, mock: MockServer
) -> None:
    router = make_router(
        [deploy("g", "mock-a", order=1), deploy("g", "mock-b", order=2)], cooldown_time=0.4
    )
    mock.script([{"model": "mock-a", "status": 429, "retry_after_s": 2}])
    await router.acompletion("g", MESSAGES)
    left = await cooldowns(router, "g")
    assert 1.5 < left[0] <= 2.0  # the provider's retry-after, not cooldown_time
    mock.script([{"model": "mock-b", "status": 401}])
    response = await router.acompletion("g", MESSAGES)
    # b is out now; a is cooling down but not tried by this request: it serves.
    assert served_by(response) == "mock-a"
    assert 0.3 < (await cooldowns(router, "g"))[1] <= 0.4


async def test_a_single_deployment_is_retried_after_retry_after(
    deploy: Deploy, make_router: MakeRouter, mock: MockServer
) -> None:
    router = make_router([deploy("g", "mock-only")])
    mock.script([{"status": 429, "retry_after_s": 0.25}])
    started = time.perf_counter()
    response = await router.acompletion("g", MESSAGES)
    assert time.perf_counter() - started >= 0.25
    assert response._hidden_params["attempted_retries"] == 1  # type: ignore[union-attr]


async def test_a_retry_after_beyond_the_limit_is_not_waited_for(
    deploy: Deploy, make_router: MakeRouter, mock: MockServer
) -> None:
    router = make_router([deploy("g", "mock-only")])
    mock.script([{"status": 429, "retry_after_s": 600}])
    started = time.perf_counter()
    with pytest.raises(lockgate.RateLimitError):
        await router.acompletion("g", MESSAGES)
    assert time.perf_counter() - started < 1.0
    assert calls_to(mock, "mock-only") == 1


async def test_when_all_are_cooling_down_the_first_back_serves(
    deploy: Deploy, make_router: MakeRouter
) -> None:
    router = make_router([deploy("g", "mock-a"), deploy("g", "mock-b")])
    a, b = router._groups.groups["g"].ids
    await router.state.start_cooldown(a, 5.0)
    await router.state.start_cooldown(b, 2.0)
    for _ in range(3):
        assert served_by(await router.acompletion("g", MESSAGES)) == "mock-b"


async def test_a_bad_request_is_neither_retried_nor_held_against_the_deployment(
    deploy: Deploy, make_router: MakeRouter, mock: MockServer
) -> None:
    router = make_router(
        [deploy("g", "mock-a"), deploy("g", "mock-b"), deploy("backup", "mock-c")],
        allowed_fails=0,
        fallbacks=[{"g": ["backup"]}],
    )
    mock.script([{"error": "invalid_request"}])
    with pytest.raises(lockgate.BadRequestError):
        await router.acompletion("g", MESSAGES)
    assert len(mock.requests) == 1
    assert await cooldowns(router, "g") == [0.0, 0.0]


async def test_retry_policy_per_error_kind(
    deploy: Deploy, make_router: MakeRouter, mock: MockServer
) -> None:
    router = make_router(
        [deploy("g", "mock-only")],
        num_retries=3,
        retry_policy={"RateLimitErrorRetries": 0, "BadRequestErrorRetries": 1},
    )
    mock.script([{"status": 429, "retry_after_s": 0}])
    with pytest.raises(lockgate.RateLimitError):
        await router.acompletion("g", MESSAGES)
    assert len(mock.requests) == 1
    mock.script([{"error": "invalid_request"}])
    await router.acompletion("g", MESSAGES)  # a 400 retried once, as the policy says
    assert len(mock.requests) == 3


async def test_num_retries_per_call(
    deploy: Deploy, make_router: MakeRouter, mock: MockServer
) -> None:
    router = make_router([deploy("g", "mock-a"), deploy("g", "mock-b")], num_retries=2)
    mock.script([{"status": 500, "times": 5}])
    with pytest.raises(lockgate.InternalServerError):
        await router.acompletion("g", MESSAGES, num_retries=0)
    assert len(mock.requests) == 1


async def test_general_fallback_serves_when_the_group_fails(
    deploy: Deploy, make_router: MakeRouter, mock: MockServer
) -> None:
    router = make_router(
        [deploy("primary", "mock-down-error-503"), deploy("backup", "mock-up")],
        fallbacks=[{"primary": ["backup"]}],
        num_retries=0,
    )
    response = await router.acompletion("primary", MESSAGES)
    expected = {
        "model_group": "backup",
        "requested_model": "primary",
        "attempted_fallbacks": 1,
        "attempted_retries": 1,
    }
    assert response._hidden_params.items() >= expected.items()  # type: ignore[union-attr]
    assert served_by(response) == "mock-up"


async def test_when_fallbacks_fail_too_the_original_error_is_raised(
    deploy: Deploy, make_router: MakeRouter
) -> None:
    router = make_router(
        [deploy("primary", "mock-a-error-503"), deploy("backup", "mock-b-error-500")],
        fallbacks=[{"*": ["backup"]}],
        num_retries=0,
    )
    with pytest.raises(lockgate.ServiceUnavailableError) as caught:
        await router.acompletion("primary", MESSAGES)
    assert "backup: InternalServerError" in " ".join(caught.value.__notes__)


async def test_fallbacks_given_per_call(deploy: Deploy, make_router: MakeRouter) -> None:
    router = make_router(
        [deploy("primary", "mock-a-error-503"), deploy("other", "mock-b")], num_retries=0
    )
    response = await router.acompletion("primary", MESSAGES, fallbacks=["other"])
    assert served_by(response) == "mock-b"


async def test_context_window_error_goes_to_the_context_window_fallbacks(
    deploy: Deploy, make_router: MakeRouter
) -> None:
    router = make_router(
        [
            deploy("small", "mock-small-error-context_length"),
            deploy("large", "mock-large"),
            deploy("other", "mock-other"),
        ],
        context_window_fallbacks=[{"small": ["large"]}],
        fallbacks=[{"small": ["other"]}],
    )
    response = await router.acompletion("small", MESSAGES)
    assert served_by(response) == "mock-large"
    assert response._hidden_params["attempted_retries"] == 1  # type: ignore[union-attr]


async def test_pre_call_check_sends_a_long_prompt_straight_to_the_fallback(
    deploy: Deploy, make_router: MakeRouter, mock: MockServer
) -> None:
    router = make_router(
        [
            deploy("small", "mock-small", model_info={"max_input_tokens": 50}),
            deploy("large", "mock-large", model_info={"max_input_tokens": 100_000}),
        ],
        context_window_fallbacks=[{"small": ["large"]}],
        enable_pre_call_checks=True,
    )
    long_prompt = [{"role": "user", "content": "many words " * 100}]
    response = await router.acompletion("small", long_prompt)
    assert served_by(response) == "mock-large"
    assert response._hidden_params["attempted_retries"] == 0  # type: ignore[union-attr]
    assert calls_to(mock, "mock-small") == 0
    assert served_by(await router.acompletion("small", MESSAGES)) == "mock-small"


class _RefusingClient(Client):
    """The mock has no content-policy refusal; this client refuses for one model."""

    async def acompletion(
        self,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        *,
        stream: bool = False,
        **kwargs: Any,
    ) -> ChatCompletion | CompletionStream:
        if model == "openai/mock-strict":
            raise lockgate.ContentPolicyViolationError("flagged by the content filter", model=model)
        return await super().acompletion(model, messages, stream=stream, **kwargs)


async def test_content_policy_refusal_goes_to_the_content_policy_fallbacks(
    deploy: Deploy,
) -> None:
    client = _RefusingClient(env={})
    router = Router(
        model_list=[deploy("strict", "mock-strict"), deploy("lenient", "mock-lenient")],
        content_policy_fallbacks=[{"strict": ["lenient"]}],
        allowed_fails=0,
        client=client,
    )
    try:
        response = await router.acompletion("strict", MESSAGES)
        assert served_by(response) == "mock-lenient"
        assert await cooldowns(router, "strict") == [0.0]  # the request was at fault
    finally:
        await router.aclose()
        await client.aclose()


async def test_a_stream_fails_over_before_its_first_chunk(
    deploy: Deploy, make_router: MakeRouter, mock: MockServer
) -> None:
    router = make_router(
        [deploy("g", "mock-a", order=1), deploy("g", "mock-b", order=2)], allowed_fails=5
    )
    # An HTTP error, then an error event in place of the first chunk: both fail over.
    for behaviour in ({"status": 500}, {"status": 500, "stream_error_after": 0}):
        mock.script([{"model": "mock-a", **behaviour}])
        stream = await router.acompletion("g", MESSAGES, stream=True)
        assert served_by(stream) == "mock-b"
        text = "".join([c.choices[0].delta.content or "" async for c in stream])  # type: ignore[union-attr]
        assert "mock reply" in text
    assert calls_to(mock, "mock-a") == 2


async def test_a_stream_error_after_the_first_chunk_reaches_the_caller(
    deploy: Deploy, make_router: MakeRouter, mock: MockServer
) -> None:
    router = make_router(  # least-busy: the router keeps in-flight counts
        [deploy("g", "mock-a", order=1), deploy("g", "mock-b", order=2)],
        allowed_fails=0,
        routing_strategy="least-busy",
    )
    mock.script([{"model": "mock-a", "status": 503, "stream_error_after": 2}])
    stream = await router.acompletion("g", MESSAGES, stream=True)
    assert served_by(stream) == "mock-a"
    received = []
    with pytest.raises(lockgate.LockgateError):
        async for chunk in stream:  # type: ignore[union-attr]
            received.append(chunk)
    assert len(received) == 2
    assert calls_to(mock, "mock-b") == 0
    assert (await cooldowns(router, "g"))[0] > 0  # held against the deployment
    ids = router._groups.groups["g"].ids
    assert (await router.state.read(ids, Needs(in_flight=True))).in_flight == [0, 0]


async def test_a_timeout_fails_over(deploy: Deploy, make_router: MakeRouter) -> None:
    router = make_router(
        [deploy("g", "mock-a-slow-600ms", order=1, timeout=0.15), deploy("g", "mock-b", order=2)]
    )
    started = time.perf_counter()
    response = await router.acompletion("g", MESSAGES)
    assert served_by(response) == "mock-b"
    assert time.perf_counter() - started < 0.5


async def test_unknown_models_and_per_call_credentials_are_refused(
    deploy: Deploy, make_router: MakeRouter
) -> None:
    router = make_router([deploy("g", "mock-a")], fallbacks=[{"*": ["g"]}])
    with pytest.raises(lockgate.NotFoundError):
        await router.acompletion("nope", MESSAGES)
    with pytest.raises(lockgate.BadRequestError, match="api_base"):
        await router.acompletion("g", MESSAGES, api_base="http://169.254.169.254")
