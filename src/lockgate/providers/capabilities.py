"""What a protocol can carry, declared by its adapter for the generated provider table.

An adapter may set ``capabilities`` (a frozenset of these names); ``docs/providers.md`` shows
them per provider. It describes the protocol and lockgate's translation of it: whether a
given model supports, say, vision is still the model's business (see the model table).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Capability", "declared_capabilities"]


class Capability(StrEnum):
    STREAM = "stream"
    TOOLS = "tools"
    PARALLEL_TOOL_CALLS = "parallel tool calls"
    VISION = "vision"
    JSON_MODE = "JSON mode"
    JSON_SCHEMA = "JSON schema"
    REASONING = "reasoning"
    PROMPT_CACHING = "prompt caching"


def declared_capabilities(adapter: object) -> frozenset[Capability] | None:
    """The adapter's declaration, or None when it declares nothing."""
    declared = getattr(adapter, "capabilities", None)
    if not isinstance(declared, frozenset):
        return None
    return frozenset(Capability(c) for c in declared)
