"""How model strings are spelled: provider families, table-key prefixes and fallback names.

LiteLLM's table spells keys three ways: bare (``gpt-4o``, ``claude-sonnet-4-5``,
``anthropic.claude-...`` for Bedrock), ``provider/model`` (``gemini/gemini-2.5-flash``,
``groq/llama-3.1-8b-instant``) and ``provider/vendor/model`` (``openrouter/google/...``).
Its provider names are finer than the prefixes users write (``vertex_ai-anthropic_models``,
``bedrock_converse``, ``text-completion-openai``), so both sides are reduced to a *family*.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["bare_name", "name_variants", "provider_family"]

# Provider names (LiteLLM's litellm_provider values and user prefixes) that price like another.
_FAMILY_ALIASES = {
    "amazon-nova": "amazon_nova",
    "azure_text": "azure",
    "bedrock_converse": "bedrock",
    "cohere_chat": "cohere",
    "fireworks_ai-embedding-models": "fireworks_ai",
    "ollama_chat": "ollama",
    "text-completion-codestral": "codestral",
    "text-completion-inception": "inception",
    "text-completion-openai": "openai",
    "watsonx_text": "watsonx",
}

# Release dates at the end of a name: gpt-4o-2024-08-06, claude-sonnet-4-5-20250929,
# claude-sonnet-4-5@20250929 (Vertex), anthropic.claude-...-20250929-v1:0 (Bedrock).
_DATE_SUFFIX = re.compile(r"(?:-\d{4}-\d{2}-\d{2}|[-@]\d{8}(?:-v\d+(?::\d+)?)?)$")
# Bedrock: LiteLLM's route segments (bedrock/converse/..., bedrock/invoke/...), a region
# segment (bedrock/us-east-1/...) and cross-region inference profiles (us.anthropic...).
_BEDROCK_ROUTE = re.compile(r"^(?:converse|invoke)/")
_BEDROCK_REGION = re.compile(r"^[a-z]{2}(?:-gov)?-[a-z]+-\d+/")
_BEDROCK_PROFILE = re.compile(r"^(?:us|eu|apac|global|au|jp|ca|us-gov)\.")


def provider_family(provider: str) -> str:
    """The family a provider name prices under (``vertex_ai-language-models`` -> ``vertex_ai``)."""
    name = provider.strip().lower()
    if name.startswith("vertex_ai"):  # vertex_ai-*_models, vertex_ai_beta
        return "vertex_ai"
    return _FAMILY_ALIASES.get(name, name)


def bare_name(key: str, family: str | None) -> str:
    """A table key without its provider prefix, when it has one (lower case)."""
    lowered = key.lower()
    head, sep, rest = lowered.partition("/")
    if sep and family is not None and provider_family(head) == family:
        return rest
    return lowered


def name_variants(name: str, family: str | None) -> Iterator[str]:
    """Names to try for ``name`` (lower case), most specific first; may repeat a name.

    Spelling variants of the same model come before the undated fallback, so a dated model
    whose date the table lacks resolves to its undated entry only when nothing closer exists.
    """
    spellings = [name]
    if name.startswith("ft:"):
        # OpenAI fine-tunes, ft:gpt-4o-mini-2024-07-18:org::id, price as ft:<base>.
        spellings.append("ft:" + name[3:].split(":", 1)[0])
    if family == "bedrock":
        current = name
        for pattern in (_BEDROCK_ROUTE, _BEDROCK_REGION, _BEDROCK_PROFILE):
            stripped = pattern.sub("", current, count=1)
            if stripped != current:
                spellings.append(stripped)
                current = stripped
    yield from spellings
    for spelling in spellings:
        undated = _DATE_SUFFIX.sub("", spelling)
        if undated != spelling and undated:
            yield undated
