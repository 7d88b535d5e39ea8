"""How a Bedrock request authenticates: a Bedrock API key, or SigV4 through botocore.

* API key (``api_key`` / ``AWS_BEARER_TOKEN_BEDROCK``): ``Authorization: Bearer <key>``.
* Otherwise SigV4, signed by ``botocore`` (the optional extra ``lockgate[bedrock]``; lockgate
  does not implement SigV4 itself). Keys come from the call (``aws_access_key_id``,
  ``aws_secret_access_key``, ``aws_session_token``), else from botocore's standard credential
  chain (environment, shared config and credentials files, SSO, container and instance
  roles). The chain is the one place a Bedrock request looks outside the call: botocore
  reads files and may ask the instance metadata service. Its session is made once per
  process and reused, so refreshable credentials are refreshed by botocore, not re-read.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from lockgate.errors import AuthenticationError, BadRequestError
from lockgate.providers.call import Credentials

__all__ = ["INSTALL_HINT", "auth_headers", "region_of"]

INSTALL_HINT = (
    "SigV4 signing needs botocore: install lockgate[bedrock] (pip install 'lockgate[bedrock]'), "
    "or use a Bedrock API key (api_key or AWS_BEARER_TOKEN_BEDROCK)"
)
_SERVICE = "bedrock"
_HOST_REGION = re.compile(r"^bedrock(?:-runtime|-agent-runtime)?(?:-fips)?\.([a-z0-9-]+)\.")


def region_of(credentials: Credentials, url: str) -> str:
    """The signing region: the call's region, else the one in a regional endpoint's host."""
    if credentials.region:
        return credentials.region
    match = _HOST_REGION.match(urlsplit(url).hostname or "")
    if match is None:
        raise BadRequestError(
            "SigV4 needs the AWS region: pass aws_region_name or set AWS_REGION",
            param="aws_region_name",
        )
    return match.group(1)


def _botocore(module: str) -> Any:
    """A botocore module, imported on first use (botocore is an optional extra)."""
    try:
        return importlib.import_module(f"botocore.{module}")
    except ImportError:
        raise AuthenticationError(INSTALL_HINT, provider="bedrock", retryable=False) from None


@functools.cache
def _chain_session() -> Any:
    """botocore's session, whose credential chain is resolved once and then reused."""
    return _botocore("session").get_session()


def _aws_credentials(credentials: Credentials) -> Any:
    aws_credentials = _botocore("credentials").Credentials
    if credentials.aws_access_key_id and credentials.aws_secret_access_key:
        token = credentials.aws_session_token
        return aws_credentials(
            credentials.aws_access_key_id.reveal(),
            credentials.aws_secret_access_key.reveal(),
            token.reveal() if token else None,
        )
    found = _chain_session().get_credentials()
    if found is None:
        raise AuthenticationError(
            "no AWS credentials for Bedrock: pass aws_access_key_id and aws_secret_access_key, "
            "configure the AWS credential chain, or use a Bedrock API key "
            "(api_key or AWS_BEARER_TOKEN_BEDROCK)",
            provider="bedrock",
            retryable=False,
        )
    return found.get_frozen_credentials()


def _sigv4_headers(
    method: str, url: str, headers: Mapping[str, str], body: bytes, credentials: Credentials
) -> dict[str, str]:
    # Sign the URL exactly as the transport will send it: yarl (under aiohttp) writes the
    # ":" of a model id percent-encoded in the path as a plain ":", and SigV4 signs the path
    # as sent.
    from yarl import URL  # aiohttp's URL type, imported only when signing

    wire_url = str(URL(url))
    aws_request = _botocore("awsrequest").AWSRequest(
        method=method, url=wire_url, data=body, headers=dict(headers)
    )
    signer = _botocore("auth").SigV4Auth(
        _aws_credentials(credentials), _SERVICE, region_of(credentials, url)
    )
    signer.add_auth(aws_request)
    return {str(k): str(v) for k, v in aws_request.headers.items()}


def auth_headers(
    method: str, url: str, headers: Mapping[str, str], body: bytes, credentials: Credentials
) -> dict[str, str]:
    """``headers`` plus the authentication of this exact request."""
    if credentials.api_key:
        return {**headers, "Authorization": f"Bearer {credentials.api_key.reveal()}"}
    return _sigv4_headers(method, url, headers, body, credentials)
