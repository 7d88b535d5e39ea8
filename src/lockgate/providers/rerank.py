"""Optional capability: rerank (``/v1/rerank``), for providers whose rerank API is not an
OpenAI-protocol route that can be forwarded as it is.

The request vocabulary is the one LiteLLM's ``rerank`` and the gateway's ``/v1/rerank``
accept, which is Cohere's: ``{model, query, documents, top_n, return_documents}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from lockgate.errors import BadRequestError
from lockgate.providers.call import Credentials
from lockgate.providers.spec import ProviderSpec
from lockgate.transport.messages import UpstreamRequest, UpstreamResponse
from lockgate.types.rerank import RerankResponse, RerankResult

__all__ = ["RerankAdapter", "RerankCall", "document_text", "with_documents"]


@dataclass(frozen=True, slots=True)
class RerankCall:
    provider: ProviderSpec
    model: str
    query: str
    # Strings, or objects (``{"text": ...}`` or any fields, rendered as text).
    documents: Sequence[str | Mapping[str, Any]]
    top_n: int | None
    return_documents: bool
    # Provider-specific parameters (max_tokens_per_doc, rank_fields, ...).
    params: Mapping[str, Any]
    credentials: Credentials


@runtime_checkable
class RerankAdapter(Protocol):
    def build_rerank_request(self, call: RerankCall) -> UpstreamRequest: ...

    def parse_rerank_response(
        self, call: RerankCall, response: UpstreamResponse
    ) -> RerankResponse: ...


def document_text(document: str | Mapping[str, Any]) -> str:
    """A document as the text a model reads: its ``text`` field, else ``key: value`` lines."""
    if isinstance(document, str):
        return document
    if isinstance(document, Mapping):
        text = document.get("text")
        if isinstance(text, str):
            return text
        return "\n".join(f"{key}: {value}" for key, value in document.items())
    raise BadRequestError("each document must be a string or an object", param="documents")


def with_documents(call: RerankCall, results: list[RerankResult]) -> list[RerankResult]:
    """Attach ``document: {"text": ...}`` to each result when the caller asked for them."""
    if not call.return_documents:
        return results
    for result in results:
        if result.document is None and 0 <= result.index < len(call.documents):
            result.document = {"text": document_text(call.documents[result.index])}
    return results
