"""Lockgate errors in Anthropic's error shape (§3.4 of the wire formats)."""

from __future__ import annotations

import json

import orjson
import pytest
from ingress_recordings import ERROR_401, ERROR_529, STREAM_ERROR_529

from lockgate.errors import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    EgressDeniedError,
    LockgateError,
    ServiceUnavailableError,
)
from lockgate.gateway.anthropic_ingress import (
    anthropic_error_body,
    anthropic_error_type,
    error_event,
)


def test_recorded_bodies_byte_for_byte() -> None:
    status, body = anthropic_error_body(
        AuthenticationError("invalid x-api-key"), request_id="req_011CVa2kcigwBtMFroktdQ2q"
    )
    assert (status, orjson.dumps(body)) == (401, ERROR_401)
    status, body = anthropic_error_body(
        ServiceUnavailableError("Overloaded"), request_id="req_011CZquRQNtQiXTvkLNPnid4"
    )
    assert (status, orjson.dumps(body)) == (529, ERROR_529)


def test_stream_error_event() -> None:
    event = error_event(ServiceUnavailableError("Overloaded", provider="anthropic"))
    name, data = event.split(b"\n")[:2]
    assert name == b"event: error" and event.endswith(b"\n\n")
    recorded = json.loads(STREAM_ERROR_529.split(b"\n")[1].removeprefix(b"data: "))
    assert json.loads(data.removeprefix(b"data: ")) == recorded


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (BadRequestError("x", status_code=402), (402, "billing_error")),
        (BadRequestError("x", status_code=409), (409, "invalid_request_error")),
        (EgressDeniedError("x"), (403, "permission_error")),
        (APIConnectionError("x"), (502, "api_error")),
        (LockgateError("x", status_code=507), (507, "api_error")),
        (LockgateError("x", status_code=302), (500, "api_error")),
        (LockgateError("x", status_code=529), (529, "overloaded_error")),
    ],
)
def test_other_statuses(error: LockgateError, expected: tuple[int, str]) -> None:
    assert anthropic_error_type(error) == expected


def test_message_has_no_provider_prefix_and_no_request_id_unless_given() -> None:
    error = BadRequestError("messages.0.role: field required", provider="openai", model="gpt-x")
    assert anthropic_error_body(error) == (
        400,
        {
            "type": "error",
            "error": {
                "type": "invalid_request_error",
                "message": "messages.0.role: field required",
            },
        },
    )
