"""LiteLLM's ``mock_response=...``: a canned answer built locally, with no network call."""

from __future__ import annotations

import time
import uuid
from typing import Any

from lockgate.pricing import estimate_prompt_tokens, estimate_tokens
from lockgate.types import ChatCompletion, Choice, Message, Usage

__all__ = ["mock_completion"]


def mock_completion(model: str, messages: list[dict[str, Any]], text: str) -> ChatCompletion:
    prompt_tokens = estimate_prompt_tokens(messages)
    completion_tokens = estimate_tokens(text)
    return ChatCompletion(
        id=f"chatcmpl-mock-{uuid.uuid4().hex[:24]}",
        created=int(time.time()),
        model=model,
        choices=[Choice(index=0, message=Message(content=text), finish_reason="stop")],
        usage=Usage(
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            total_tokens=prompt_tokens + completion_tokens,
        ),
    )
