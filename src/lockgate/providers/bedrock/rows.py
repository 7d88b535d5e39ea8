"""AWS Bedrock Runtime (Converse, ConverseStream, InvokeModel) as a provider row.

The endpoint is per region: ``https://bedrock-runtime.{region}.amazonaws.com``, the region
coming from ``aws_region_name`` or ``AWS_REGION`` / ``AWS_DEFAULT_REGION``. The hosts that
connections may go to without an explicit ``api_base`` are the exact runtime hosts of the
regions Bedrock serves today, not ``*.amazonaws.com``: that pattern would let a call reach
any AWS service endpoint (S3 buckets named by anyone, API Gateway, ...). A region missing
from the list still works: the client allows the host of the api_base each call resolved
(here the regional host), per call, exactly as it does for a configured api_base.
"""

from __future__ import annotations

from lockgate.providers.openai_params import OPENAI_CHAT_PARAMS
from lockgate.providers.spec import ProviderSpec, Quirks

__all__ = ["BEDROCK_REGIONS", "BEDROCK_ROW", "BEDROCK_SUPPORTED_PARAMS", "ROWS"]

BEDROCK_REGIONS: tuple[str, ...] = (
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "ca-central-1",
    "sa-east-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "me-central-1",
    "il-central-1",
)
_FIPS_REGIONS = ("us-east-1", "us-east-2", "us-west-2", "ca-central-1", "us-gov-west-1")

# What Converse can express; everything else in OpenAI's vocabulary is refused or dropped.
BEDROCK_SUPPORTED_PARAMS: frozenset[str] = frozenset(
    {
        "max_tokens",
        "max_completion_tokens",
        "temperature",
        "top_p",
        "stop",
        "tools",
        "tool_choice",
        "response_format",
        "reasoning_effort",
        "stream_options",
    }
)

BEDROCK_ROW = ProviderSpec(
    name="bedrock",
    protocol="bedrock",
    default_api_base="https://bedrock-runtime.{region}.amazonaws.com",
    # A Bedrock API key (Bearer); without one, SigV4 through botocore (lockgate[bedrock]).
    api_key_env=("AWS_BEARER_TOKEN_BEDROCK",),
    api_base_env=("AWS_BEDROCK_RUNTIME_ENDPOINT",),
    requires_api_key=False,
    default_hosts=frozenset(
        {f"bedrock-runtime.{region}.amazonaws.com" for region in BEDROCK_REGIONS}
        | {f"bedrock-runtime-fips.{region}.amazonaws.com" for region in _FIPS_REGIONS}
    ),
    quirks=Quirks(
        unsupported_params=OPENAI_CHAT_PARAMS - BEDROCK_SUPPORTED_PARAMS,
        supports_embeddings=True,
        passthrough_endpoints=frozenset({"/rerank"}),
    ),
    docs="AWS Bedrock Converse/ConverseStream; embeddings (Titan, Cohere) and rerank "
    "(Cohere) via InvokeModel; Bedrock API key or SigV4 (pip install lockgate[bedrock])",
)

ROWS: tuple[ProviderSpec, ...] = (BEDROCK_ROW,)
