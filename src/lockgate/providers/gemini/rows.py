"""The ``gemini`` (Google AI Studio) and ``vertex_ai`` (Google Cloud) provider rows."""

from __future__ import annotations

from lockgate.providers.spec import ProviderSpec, Quirks

__all__ = ["GEMINI_ROW", "GEMINI_UNSUPPORTED_PARAMS", "VERTEX_LOCATIONS", "VERTEX_ROW"]

# OpenAI parameters generateContent has no equivalent for. ``parallel_tool_calls`` is refused
# only when false (see gemini_supported_params): Gemini cannot be told to call one at a time.
GEMINI_UNSUPPORTED_PARAMS: frozenset[str] = frozenset(
    {
        "audio",
        "function_call",
        "functions",
        "logit_bias",
        "logprobs",
        "metadata",
        "modalities",
        "prediction",
        "prompt_cache_key",
        "safety_identifier",
        "service_tier",
        "store",
        "top_logprobs",
        "user",
        "verbosity",
        "web_search_options",
    }
)

# Regions whose endpoints need no api_base (the egress policy admits exact host names only).
# Any other location works with an explicit api_base, whose host the client allows per call.
VERTEX_LOCATIONS: tuple[str, ...] = (
    "us-central1",
    "us-east1",
    "us-east4",
    "us-east5",
    "us-south1",
    "us-west1",
    "us-west4",
    "northamerica-northeast1",
    "europe-west1",
    "europe-west2",
    "europe-west3",
    "europe-west4",
    "europe-west9",
    "asia-northeast1",
    "asia-southeast1",
    "australia-southeast1",
)

GEMINI_ROW = ProviderSpec(
    name="gemini",
    protocol="gemini",
    default_api_base="https://generativelanguage.googleapis.com",
    api_key_env=("GEMINI_API_KEY", "GOOGLE_API_KEY"),
    api_base_env=("GEMINI_API_BASE",),
    default_hosts=frozenset({"generativelanguage.googleapis.com"}),
    quirks=Quirks(unsupported_params=GEMINI_UNSUPPORTED_PARAMS, supports_embeddings=True),
    docs=(
        "Google AI Studio generateContent (x-goog-api-key); `parallel_tool_calls: false` refused"
    ),
)

VERTEX_ROW = ProviderSpec(
    name="vertex_ai",
    protocol="vertex",
    default_api_base="https://aiplatform.googleapis.com",
    # An OAuth access token (``gcloud auth print-access-token``), sent as a bearer token.
    # Without one, a token is minted from vertex_credentials or Application Default
    # Credentials (google-auth, the optional ``vertex`` extra): no key is required.
    api_key_env=("VERTEXAI_ACCESS_TOKEN", "GOOGLE_OAUTH_ACCESS_TOKEN"),
    api_base_env=("VERTEXAI_API_BASE",),
    requires_api_key=False,
    default_hosts=frozenset(
        {
            "aiplatform.googleapis.com",
            "oauth2.googleapis.com",  # Google's token endpoint (service accounts, ADC)
            *(f"{loc}-aiplatform.googleapis.com" for loc in VERTEX_LOCATIONS),
        }
    ),
    quirks=Quirks(unsupported_params=GEMINI_UNSUPPORTED_PARAMS, supports_embeddings=True),
    docs=(
        "Vertex AI: Gemini (generateContent; params as `gemini`) and Claude (`claude-*`, "
        "rawPredict; params as `anthropic`); OAuth access token as bearer; project and "
        "location from api_base, vertex_project/vertex_location or VERTEXAI_PROJECT/_LOCATION; "
        "without a token, one minted from vertex_credentials (service-account file or JSON) "
        "or Application Default Credentials through google-auth (`lockgate[vertex]`)"
    ),
)
