"""OpenAI usage to Anthropic usage.

OpenAI's ``prompt_tokens`` includes cache reads and cache writes; Anthropic's
``input_tokens`` counts only the uncached rest, with reads and writes reported beside it:

=================================  ==================================================
Anthropic                          from lockgate's (OpenAI-shaped) Usage
=================================  ==================================================
``input_tokens``                   ``prompt_tokens - cached_tokens - cache_write_tokens``
``cache_creation_input_tokens``    ``prompt_tokens_details.cache_write_tokens``
``cache_read_input_tokens``        ``prompt_tokens_details.cached_tokens``
``output_tokens``                  ``completion_tokens`` (includes reasoning, as Anthropic's)
=================================  ==================================================
"""

from __future__ import annotations

from lockgate.types import Usage

__all__ = ["anthropic_usage"]


def anthropic_usage(usage: Usage | None) -> dict[str, int]:
    """The four counts in the order Anthropic writes them; zeros when usage is unknown."""
    if usage is None:
        return {
            "input_tokens": 0,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": 0,
        }
    reads = max(usage.cached_tokens, 0)
    writes = max(usage.cache_write_tokens, 0)
    return {
        # Clamped: a provider whose details disagree with its total must not go negative.
        "input_tokens": max(usage.prompt_tokens - reads - writes, 0),
        "cache_creation_input_tokens": writes,
        "cache_read_input_tokens": reads,
        "output_tokens": max(usage.completion_tokens, 0),
    }
