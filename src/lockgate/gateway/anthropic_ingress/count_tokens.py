"""``POST /v1/messages/count_tokens``: an estimate of the prompt's input tokens.

The body is validated and translated exactly as a Messages request (without the required
``max_tokens``), then counted with lockgate's tokenizer-free estimate, so the figure is
the same whichever provider would serve the model. It is an estimate, as Anthropic's own
count is documented to be.
"""

from __future__ import annotations

from typing import Any

from lockgate.gateway.anthropic_ingress.request import translate_request
from lockgate.pricing import estimate_prompt_tokens

__all__ = ["count_tokens_response"]


def count_tokens_response(body: Any) -> dict[str, int]:
    """``{"input_tokens": N}``; raises BadRequestError naming a bad field."""
    request = translate_request(body, require_max_tokens=False)
    tools = request.params.get("tools")
    return {"input_tokens": estimate_prompt_tokens(request.messages, tools)}
