"""The egress policy's decisions (pure): hosts, patterns, address ranges."""

from __future__ import annotations

import pytest

from lockgate.errors import EgressDeniedError
from lockgate.transport.egress import EgressPolicy


def test_allowed_host_and_suffix_pattern() -> None:
    policy = EgressPolicy(allowed_hosts=frozenset({"api.openai.com", "*.openai.azure.com"}))
    policy.check_url("https://api.openai.com/v1/chat/completions")
    policy.check_url("https://my-resource.openai.azure.com/openai")
    with pytest.raises(EgressDeniedError, match="evil.example"):
        policy.check_url("https://evil.example/v1")
    # A pattern matches subdomains only, not a look-alike that merely ends the same way.
    with pytest.raises(EgressDeniedError):
        policy.check_url("https://fakeopenai.azure.com/")


def test_host_matching_ignores_case_and_trailing_dot() -> None:
    policy = EgressPolicy(allowed_hosts=frozenset({"API.OpenAI.com."}))
    policy.check_url("https://api.openai.com./v1")


def test_extra_hosts_allow_a_configured_api_base() -> None:
    policy = EgressPolicy()
    policy.check_url("http://127.0.0.1:9/x", frozenset({"127.0.0.1"}))
    with pytest.raises(EgressDeniedError):
        policy.check_url("http://127.0.0.1:9/x")


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/",
        "http://169.254.170.2/v2/credentials",
        "http://0.0.0.0:80/",
    ],
)
def test_metadata_addresses_refused_even_when_the_host_is_allowed(url: str) -> None:
    policy = EgressPolicy(allow_any_host=True)
    with pytest.raises(EgressDeniedError, match="refused range"):
        policy.check_url(url)


def test_metadata_address_allowed_only_explicitly() -> None:
    policy = EgressPolicy(allow_any_host=True).with_allowed_networks(["169.254.169.254/32"])
    policy.check_url("http://169.254.169.254/")
    with pytest.raises(EgressDeniedError):
        policy.check_url("http://169.254.1.1/")


def test_non_http_schemes_refused() -> None:
    policy = EgressPolicy(allow_any_host=True)
    for url in ("file:///etc/passwd", "gopher://x/", "ftp://x/"):
        with pytest.raises(EgressDeniedError):
            policy.check_url(url)


def test_resolved_addresses_checked() -> None:
    policy = EgressPolicy(allowed_hosts=frozenset({"metadata.example"}))
    policy.check_addresses("ok.example", ["93.184.216.34", "2606:2800::1"])
    with pytest.raises(EgressDeniedError, match="169.254.169.254"):
        policy.check_addresses("metadata.example", ["10.0.0.1", "169.254.169.254"])
