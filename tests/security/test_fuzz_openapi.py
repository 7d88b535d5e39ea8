"""Property-based fuzzing of every public route against the gateway's own OpenAPI document
(schemathesis, in-process over ASGI, upstream = the mock provider): valid and invalid
requests alike get no 5xx, no hang, and every error in the contract's shape."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from lockgate.config import parse_config
from lockgate.gateway.app import GatewayApp
from lockgate.gateway.factory import create_app
from lockgate.gateway.openapi import openapi_document
from lockgate.gateway.state import build_state
from lockgate.observability import AccessLog
from lockgate.security import Secret
from tests.threaded_mock import mock_in_thread

MASTER_KEY = "sk-fuzz-master-5c1e"
EXAMPLES = int(os.environ.get("LOCKGATE_FUZZ_EXAMPLES", "12"))
OPENAI_ERROR_KEYS = {"message", "type", "param", "code"}


@pytest.fixture(scope="module")
def app() -> Iterator[GatewayApp]:
    with mock_in_thread() as mock_url:
        config = parse_config(
            "model_list:\n"
            '  - model_name: "*"\n'
            "    litellm_params:\n"
            '      model: "openai/*"\n'
            f"      api_base: {mock_url}/v1\n"
            "      api_key: sk-upstream-fuzz\n",
            source="<fuzz>",
            env={},
        )
        state = build_state(config, master_key=Secret(MASTER_KEY))
        yield create_app(state, access_log=AccessLog(io.StringIO()))


def check_response(path: str, status: int, headers: Any, body: bytes, elapsed: float) -> None:
    assert status < 500, f"{path}: {status} {body[:300]!r}"
    assert elapsed < 15.0, f"{path}: took {elapsed:.1f}s"
    assert b"Traceback" not in body
    assert MASTER_KEY.encode() not in body
    if status < 400:
        return
    content_type = headers.get("content-type", [""])
    assert content_type[0].startswith("application/json"), path
    payload = orjson.loads(body)
    if path.startswith(("/v1/messages", "/messages")):
        assert payload["type"] == "error", payload
        assert set(payload["error"]) == {"type", "message"}, payload
        assert all(isinstance(v, str) for v in payload["error"].values())
        return
    error = payload["error"]
    assert set(error) == OPENAI_ERROR_KEYS, payload
    assert isinstance(error["message"], str) and isinstance(error["type"], str)
    assert error["param"] is None or isinstance(error["param"], str)
    assert error["code"] is None or isinstance(error["code"], str)


@pytest.fixture(scope="module")
def operations(app: GatewayApp) -> list[Any]:
    """The operations of the document the app itself serves at /openapi.json."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def test_the_document_lists_every_public_route(app: GatewayApp, operations: list[Any]) -> None:
    labels = {op.label for op in operations}
    for path in (
        "chat/completions",
        "completions",
        "embeddings",
        "models",
        "messages",
        "messages/count_tokens",
        "responses",
        "images/generations",
        "audio/speech",
        "audio/transcriptions",
        "moderations",
        "rerank",
    ):
        assert any(label.endswith(f" /v1/{path}") for label in labels), path
    for path in ("/health", "/health/liveliness", "/health/readiness", "/metrics"):
        assert f"GET {path}" in labels
    assert "/openapi.json" in openapi_document()["paths"]  # schemathesis skips the schema itself
    # Everything documented is routed (the admin API is documented in its own issue).
    routed = {p for p, _ in app.routes.routes()} | {"/models/{model}"}
    documented = {p.removeprefix("/v1") for p in openapi_document()["paths"]}
    assert documented <= routed


def fuzz(operation: Any, mode: GenerationMode, examples: int, key: str) -> None:
    """Call ``operation`` with ``examples`` generated cases; every answer must pass
    :func:`check_response` (and, with a wrong ``key``, be a 401)."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],  # report the first failure, unshrunk
    )
    def run(case: Any) -> None:
        started = time.monotonic()
        response = case.call(headers={"Authorization": f"Bearer {key}"})
        elapsed = time.monotonic() - started
        if key != MASTER_KEY:
            assert response.status_code == 401, operation.label
        check_response(
            operation.path, response.status_code, response.headers, response.content, elapsed
        )

    try:
        run()
    except Unsatisfiable:
        # Nothing to get wrong (no body, no parameter): only positive cases exist.
        assert mode is GenerationMode.NEGATIVE and "requestBody" not in operation.definition.raw


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_fuzz_every_route(operations: list[Any], mode: GenerationMode) -> None:
    for operation in operations:
        fuzz(operation, mode, EXAMPLES, MASTER_KEY)


def test_fuzz_without_credentials_is_401_in_shape(operations: list[Any]) -> None:
    for operation in operations:
        if operation.definition.raw.get("security"):
            fuzz(operation, GenerationMode.POSITIVE, 2, "sk-wrong")
