"""Provider adapters (pure translation) and the registry of providers."""

from lockgate.providers.base import (
    ChatAdapter,
    EmbeddingAdapter,
    Framing,
    StreamParser,
    TextCompletionAdapter,
)
from lockgate.providers.call import ChatCall, Credentials, EmbeddingCall, TextCompletionCall
from lockgate.providers.registry import ADAPTERS, PROVIDERS, ProviderRegistry
from lockgate.providers.spec import ProviderSpec, Quirks

__all__ = [
    "ADAPTERS",
    "PROVIDERS",
    "ChatAdapter",
    "ChatCall",
    "Credentials",
    "EmbeddingAdapter",
    "EmbeddingCall",
    "Framing",
    "ProviderRegistry",
    "ProviderSpec",
    "Quirks",
    "StreamParser",
    "TextCompletionAdapter",
    "TextCompletionCall",
]
