"""Which provider a model string names, and which adapter speaks its protocol."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from types import MappingProxyType

from lockgate.errors import BadRequestError
from lockgate.providers import anthropic, azure, bedrock, cohere, gemini, ollama
from lockgate.providers.base import ChatAdapter
from lockgate.providers.openai_compatible import OPENAI_COMPATIBLE_ROWS
from lockgate.providers.spec import ProviderSpec

__all__ = ["ADAPTERS", "PROVIDERS", "ProviderRegistry", "default_registry"]

# Each native protocol package contributes its rows and adapters; OpenAI's are the base.
_NATIVE = (anthropic, azure, bedrock, cohere, gemini, ollama)

PROVIDERS: Mapping[str, ProviderSpec] = MappingProxyType(
    {row.name: row for row in (*OPENAI_COMPATIBLE_ROWS, *(r for m in _NATIVE for r in m.ROWS))}
)

_ADAPTER_PATHS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "openai": ("lockgate.providers.openai.adapter", "OpenAIAdapter"),
        **{k: v for m in _NATIVE for k, v in m.ADAPTER_PATHS.items()},
    }
)


class _LazyAdapters(Mapping[str, ChatAdapter]):
    """Protocol -> adapter, each module imported the first time its protocol is used.

    Adapters are stateless; the memo below only saves re-importing and re-instantiating.
    """

    def __init__(self, paths: Mapping[str, tuple[str, str]]) -> None:
        self._paths = paths
        self._loaded: dict[str, ChatAdapter] = {}

    def __getitem__(self, protocol: str) -> ChatAdapter:
        adapter = self._loaded.get(protocol)
        if adapter is None:
            module_name, class_name = self._paths[protocol]
            adapter = getattr(importlib.import_module(module_name), class_name)()
            self._loaded[protocol] = adapter
        return adapter

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


ADAPTERS: Mapping[str, ChatAdapter] = _LazyAdapters(_ADAPTER_PATHS)

# Model-name prefixes that identify the provider when the string has no "provider/" part.
_BARE_MODEL_PREFIXES: tuple[tuple[str, str], ...] = (
    ("gpt-", "openai"),
    ("o1", "openai"),
    ("o3", "openai"),
    ("o4", "openai"),
    ("chatgpt-", "openai"),
    ("text-embedding-", "openai"),
    ("davinci", "openai"),
    ("babbage", "openai"),
    ("claude-", "anthropic"),
    ("gemini-", "gemini"),
    ("mistral-", "mistral"),
    ("command-", "cohere"),
    ("deepseek-", "deepseek"),
    ("grok-", "xai"),
)


class ProviderRegistry:
    """Immutable view over provider rows and protocol adapters."""

    def __init__(
        self,
        providers: Mapping[str, ProviderSpec] = PROVIDERS,
        adapters: Mapping[str, ChatAdapter] = ADAPTERS,
    ) -> None:
        self._providers = providers
        self._adapters = adapters

    @property
    def providers(self) -> Mapping[str, ProviderSpec]:
        return self._providers

    def spec(self, name: str) -> ProviderSpec:
        spec = self._providers.get(name)
        if spec is None:
            raise BadRequestError(
                f"unknown provider {name!r}; known: {', '.join(sorted(self._providers))}",
                param="model",
            )
        return spec

    def adapter(self, spec: ProviderSpec) -> ChatAdapter:
        adapter = self._adapters.get(spec.protocol)
        if adapter is None:
            raise BadRequestError(
                f"provider {spec.name!r} speaks the {spec.protocol!r} protocol, "
                "which this build of lockgate does not include",
                param="model",
            )
        return adapter

    def split_model(self, model: str) -> tuple[ProviderSpec, str]:
        """``"groq/llama-3.1-8b"`` → (groq row, ``"llama-3.1-8b"``); bare names are inferred."""
        if not model:
            raise BadRequestError("model is required", param="model")
        prefix, sep, rest = model.partition("/")
        if sep and prefix in self._providers and rest:
            return self._providers[prefix], rest
        for start, provider in _BARE_MODEL_PREFIXES:
            if model.startswith(start) and provider in self._providers:
                return self._providers[provider], model
        raise BadRequestError(
            f"cannot tell the provider of model {model!r}: write it as 'provider/model' "
            "(for example 'openai/gpt-4o-mini')",
            param="model",
        )


def default_registry() -> ProviderRegistry:
    return ProviderRegistry()
