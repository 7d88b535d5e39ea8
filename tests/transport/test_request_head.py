"""The request head the transport writes: framing headers are its own, and no header can add
a line or a header of its own (CR, LF, NUL, a colon in a name)."""

from __future__ import annotations

import pytest

from lockgate.errors import BadRequestError
from lockgate.transport import EgressPolicy, HttpTransport
from lockgate.transport.h1_pool import parse_target
from lockgate.transport.http_client import _request_head
from lockgate.transport.messages import UpstreamRequest

URL = "http://api.example.test:8080/v1/chat/completions"


def head(headers: dict[str, str], body: bytes | None = b"{}") -> bytes:
    return _request_head(UpstreamRequest("POST", URL, headers, body), parse_target(URL))


def test_head_has_the_request_line_host_fields_and_length() -> None:
    written = head({"Content-Type": "application/json", "Authorization": "Bearer k:1"})
    assert written == (
        b"POST /v1/chat/completions HTTP/1.1\r\n"
        b"Host: api.example.test:8080\r\n"
        b"Content-Type: application/json\r\n"
        b"Authorization: Bearer k:1\r\n"  # a colon in a value is fine
        b"Content-Length: 2\r\n"
        b"\r\n"
    )


def test_framing_headers_of_the_caller_are_dropped() -> None:
    written = head(
        {"Host": "evil", "content-length": "99", "Transfer-Encoding": "chunked", "X-A": "1"}
    )
    assert written.count(b"Host:") == 1 and b"evil" not in written
    assert b"99" not in written and b"chunked" not in written
    assert b"X-A: 1\r\n" in written


def test_a_bodiless_request_has_no_length() -> None:
    assert b"Content-Length" not in head({}, None)


@pytest.mark.parametrize(
    "headers",
    [
        {"X-A": "1\r\nX-Injected: 2"},
        {"X-A": "1\nX-Injected: 2"},
        {"X-A": "1\r"},
        {"X-A\r\nX-B": "1"},
        {"X-A": "nul\0"},
        {"X-A:B": "1"},
    ],
)
def test_a_header_that_could_split_the_head_is_refused(headers: dict[str, str]) -> None:
    with pytest.raises(BadRequestError, match="line break or a colon") as caught:
        head({"Content-Type": "application/json", **headers})
    assert "X-A" in str(caught.value)  # the refused header is named


def test_a_line_break_in_a_dropped_framing_header_is_ignored_as_before() -> None:
    assert b"Host: api.example.test:8080\r\n" in head({"Host": "a\r\nb"})


def test_the_transport_keeps_heads_per_method_url_and_headers() -> None:
    transport = HttpTransport(EgressPolicy(allow_any_host=True))
    target = parse_target(URL)

    def sent(headers: dict[str, str], body: bytes | None = b"{}") -> bytes:
        return transport._head(UpstreamRequest("POST", URL, headers, body), target)

    first = sent({"Authorization": "Bearer a"})
    assert first == head({"Authorization": "Bearer a"})
    assert sent({"Authorization": "Bearer a"}, b"[1,2]").endswith(b"Content-Length: 5\r\n\r\n")
    assert b"Bearer b" in sent({"Authorization": "Bearer b"})  # another key: another head
    assert sent({"Authorization": "Bearer a"}, None).endswith(b"Bearer a\r\n\r\n")
    for _ in range(2):  # a refused header is refused on every call, never kept
        with pytest.raises(BadRequestError):
            sent({"X-A": "1\r\nX-B: 2"})
