"""What routing knows about one request: its tags, its prompt, the deployments tried and
the attempts made."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lockgate.pricing import estimate_prompt_tokens, estimate_tokens

__all__ = ["RequestContext"]


class RequestContext:
    """Created per request; the token estimate is computed only if a routing step asks."""

    __slots__ = ("_prompt", "_tokens", "_tools", "attempts", "messages", "tags", "tried")

    def __init__(
        self,
        messages: Sequence[Mapping[str, Any]] | None = None,
        prompt: str | Sequence[Any] | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        tags: frozenset[str] | None = None,
    ) -> None:
        self.messages = messages
        self._prompt = prompt
        self._tools = tools
        self.tags = tags
        self.tried: set[str] = set()
        self.attempts = 0  # calls made for this request, over every group it tries
        self._tokens: int | None = None

    @property
    def estimated_tokens(self) -> int:
        """Estimated prompt tokens (chat messages and tools, or a text prompt / input)."""
        if self._tokens is None:
            if self.messages is not None:
                self._tokens = estimate_prompt_tokens(self.messages, self._tools)
            elif isinstance(self._prompt, str):
                self._tokens = estimate_tokens(self._prompt)
            elif self._prompt is not None:
                self._tokens = sum(estimate_tokens(p) for p in self._prompt if isinstance(p, str))
            else:
                self._tokens = 0
        return self._tokens
