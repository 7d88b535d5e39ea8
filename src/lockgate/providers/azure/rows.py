"""Azure OpenAI (deployment and v1 routes) and Azure AI model inference, as provider rows."""

from __future__ import annotations

from lockgate.providers.spec import ProviderSpec, Quirks

__all__ = ["AZURE_AI_ROW", "AZURE_ROW", "ROWS"]

# OpenAI-only features Azure's data plane does not serve.
_AZURE_UNSUPPORTED = frozenset({"web_search_options"})
# The Azure AI model inference API (Mistral, Llama, Phi, DeepSeek... on Azure) speaks the
# core Chat Completions parameters only.
_AZURE_AI_UNSUPPORTED = frozenset(
    {
        "audio",
        "modalities",
        "prediction",
        "store",
        "metadata",
        "service_tier",
        "web_search_options",
        "verbosity",
        "prompt_cache_key",
        "safety_identifier",
        "logit_bias",
        "logprobs",
        "top_logprobs",
        "n",
        "parallel_tool_calls",
        "functions",
        "function_call",
    }
)

AZURE_ROW = ProviderSpec(
    name="azure",
    protocol="azure",
    default_api_base=None,
    api_key_env=("AZURE_API_KEY", "AZURE_OPENAI_API_KEY"),
    api_base_env=("AZURE_API_BASE", "AZURE_OPENAI_ENDPOINT"),
    # An Entra ID token (azure_ad_token / AZURE_AD_TOKEN) replaces the key.
    requires_api_key=False,
    default_hosts=frozenset({"*.openai.azure.com", "*.cognitiveservices.azure.com"}),
    quirks=Quirks(
        unsupported_params=_AZURE_UNSUPPORTED,
        supports_text_completion=True,
        supports_embeddings=True,
    ),
    docs="Azure OpenAI: model is the deployment name; api_version (AZURE_API_VERSION, "
    "default 2024-10-21) or 'v1' for the /openai/v1 routes; api-key or Entra ID token",
)

AZURE_AI_ROW = ProviderSpec(
    name="azure_ai",
    protocol="azure",
    default_api_base=None,
    api_key_env=("AZURE_AI_API_KEY",),
    api_base_env=("AZURE_AI_API_BASE",),
    requires_api_key=False,
    default_hosts=frozenset(
        {"*.services.ai.azure.com", "*.models.ai.azure.com", "*.inference.ai.azure.com"}
    ),
    quirks=Quirks(unsupported_params=_AZURE_AI_UNSUPPORTED, supports_embeddings=True),
    docs="Azure AI model inference (Foundry models): {api_base}/chat/completions with api-key",
)

ROWS: tuple[ProviderSpec, ...] = (AZURE_ROW, AZURE_AI_ROW)
