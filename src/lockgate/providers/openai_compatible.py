"""Providers that speak OpenAI's protocol, as rows of data: base URL, key variable, quirks.

Adding one is adding a row here (and a line in docs/providers.md), never new code.
"""

from __future__ import annotations

from types import MappingProxyType
from urllib.parse import urlsplit

from lockgate.providers.spec import ProviderSpec, Quirks

__all__ = ["OPENAI_COMPATIBLE_ROWS", "OPENAI_PASSTHROUGH_ENDPOINTS"]

# OpenAI routes lockgate forwards without translating them (the body's model is replaced).
OPENAI_PASSTHROUGH_ENDPOINTS = frozenset(
    {
        "/responses",
        "/images/generations",
        "/audio/speech",
        "/audio/transcriptions",
        "/moderations",
    }
)

# Parameters only OpenAI's own API implements; most compatible servers reject them.
_OPENAI_ONLY = frozenset(
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
    }
)


def _row(
    name: str,
    base: str | None,
    key_env: tuple[str, ...] = (),
    *,
    base_env: tuple[str, ...] = (),
    requires_key: bool = True,
    quirks: Quirks | None = None,
    docs: str = "",
) -> ProviderSpec:
    hosts = frozenset({urlsplit(base).hostname or ""}) if base else frozenset()
    return ProviderSpec(
        name=name,
        protocol="openai",
        default_api_base=base,
        api_key_env=key_env,
        api_base_env=base_env,
        requires_api_key=requires_key,
        default_hosts=hosts - {""},
        quirks=quirks if quirks is not None else Quirks(unsupported_params=_OPENAI_ONLY),
        docs=docs,
    )


OPENAI_COMPATIBLE_ROWS: tuple[ProviderSpec, ...] = (
    _row(
        "openai",
        "https://api.openai.com/v1",
        ("OPENAI_API_KEY",),
        base_env=("OPENAI_BASE_URL", "OPENAI_API_BASE"),
        quirks=Quirks(
            supports_text_completion=True,
            supports_embeddings=True,
            passthrough_endpoints=OPENAI_PASSTHROUGH_ENDPOINTS,
        ),
        docs="OpenAI",
    ),
    _row(
        "groq",
        "https://api.groq.com/openai/v1",
        ("GROQ_API_KEY",),
        quirks=Quirks(
            unsupported_params=_OPENAI_ONLY | {"logit_bias", "logprobs", "top_logprobs"},
        ),
        docs="Groq",
    ),
    _row(
        "together_ai",
        "https://api.together.xyz/v1",
        ("TOGETHERAI_API_KEY", "TOGETHER_API_KEY"),
        quirks=Quirks(
            unsupported_params=_OPENAI_ONLY,
            supports_text_completion=True,
            supports_embeddings=True,
            passthrough_endpoints=frozenset({"/images/generations", "/rerank"}),
        ),
        docs="Together AI",
    ),
    _row(
        "fireworks_ai",
        "https://api.fireworks.ai/inference/v1",
        ("FIREWORKS_AI_API_KEY", "FIREWORKS_API_KEY"),
        quirks=Quirks(
            unsupported_params=_OPENAI_ONLY,
            supports_text_completion=True,
            supports_embeddings=True,
        ),
        docs="Fireworks AI",
    ),
    _row("deepseek", "https://api.deepseek.com/v1", ("DEEPSEEK_API_KEY",), docs="DeepSeek"),
    _row("xai", "https://api.x.ai/v1", ("XAI_API_KEY",), docs="xAI (Grok)"),
    _row(
        "openrouter",
        "https://openrouter.ai/api/v1",
        ("OPENROUTER_API_KEY",),
        docs="OpenRouter",
    ),
    _row(
        "perplexity",
        "https://api.perplexity.ai",
        ("PERPLEXITYAI_API_KEY", "PERPLEXITY_API_KEY"),
        quirks=Quirks(
            unsupported_params=_OPENAI_ONLY
            | {"logit_bias", "logprobs", "top_logprobs", "n", "seed", "parallel_tool_calls"},
        ),
        docs="Perplexity",
    ),
    _row(
        "mistral",
        "https://api.mistral.ai/v1",
        ("MISTRAL_API_KEY",),
        quirks=Quirks(
            unsupported_params=_OPENAI_ONLY | {"logit_bias", "logprobs", "top_logprobs", "user"},
            renamed_params=MappingProxyType({"seed": "random_seed"}),
            tool_choice_values=MappingProxyType({"required": "any"}),
            # Mistral sends usage on its last chunk unasked and rejects unknown fields.
            supports_stream_options=False,
            supports_embeddings=True,
        ),
        docs="Mistral AI",
    ),
    _row("cerebras", "https://api.cerebras.ai/v1", ("CEREBRAS_API_KEY",), docs="Cerebras"),
    _row(
        "deepinfra",
        "https://api.deepinfra.com/v1/openai",
        ("DEEPINFRA_API_KEY",),
        quirks=Quirks(unsupported_params=_OPENAI_ONLY, supports_embeddings=True),
        docs="DeepInfra",
    ),
    _row(
        "nvidia_nim",
        "https://integrate.api.nvidia.com/v1",
        ("NVIDIA_NIM_API_KEY",),
        base_env=("NVIDIA_NIM_API_BASE",),
        quirks=Quirks(unsupported_params=_OPENAI_ONLY, supports_embeddings=True),
        docs="NVIDIA NIM",
    ),
    _row("sambanova", "https://api.sambanova.ai/v1", ("SAMBANOVA_API_KEY",), docs="SambaNova"),
    _row(
        "hosted_vllm",
        None,
        ("HOSTED_VLLM_API_KEY",),
        base_env=("HOSTED_VLLM_API_BASE",),
        requires_key=False,
        quirks=Quirks(
            unsupported_params=_OPENAI_ONLY,
            supports_text_completion=True,
            supports_embeddings=True,
        ),
        docs="vLLM server (api_base required)",
    ),
    _row(
        "lm_studio",
        "http://localhost:1234/v1",
        ("LM_STUDIO_API_KEY",),
        base_env=("LM_STUDIO_API_BASE",),
        requires_key=False,
        quirks=Quirks(unsupported_params=_OPENAI_ONLY, supports_embeddings=True),
        docs="LM Studio",
    ),
    _row(
        "llamafile",
        "http://127.0.0.1:8080/v1",
        ("LLAMAFILE_API_KEY",),
        base_env=("LLAMAFILE_API_BASE",),
        requires_key=False,
        docs="llamafile",
    ),
    _row("moonshot", "https://api.moonshot.ai/v1", ("MOONSHOT_API_KEY",), docs="Moonshot AI"),
    _row("hyperbolic", "https://api.hyperbolic.xyz/v1", ("HYPERBOLIC_API_KEY",), docs="Hyperbolic"),
    _row(
        "openai_compatible",
        None,
        ("OPENAI_COMPATIBLE_API_KEY",),
        base_env=("OPENAI_COMPATIBLE_API_BASE",),
        requires_key=False,
        quirks=Quirks(
            unsupported_params=frozenset(),
            supports_text_completion=True,
            supports_embeddings=True,
            passthrough_endpoints=OPENAI_PASSTHROUGH_ENDPOINTS | {"/rerank"},
        ),
        docs="Any OpenAI-compatible server (api_base required)",
    ),
)
