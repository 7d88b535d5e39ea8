"""The OpenAI Chat Completions parameters, the vocabulary every adapter translates from."""

from __future__ import annotations

__all__ = ["OPENAI_CHAT_PARAMS", "OPENAI_EMBEDDING_PARAMS", "OPENAI_TEXT_COMPLETION_PARAMS"]

OPENAI_CHAT_PARAMS: frozenset[str] = frozenset(
    {
        "audio",
        "frequency_penalty",
        "function_call",
        "functions",
        "logit_bias",
        "logprobs",
        "max_completion_tokens",
        "max_tokens",
        "metadata",
        "modalities",
        "n",
        "parallel_tool_calls",
        "prediction",
        "presence_penalty",
        "prompt_cache_key",
        "reasoning_effort",
        "response_format",
        "safety_identifier",
        "seed",
        "service_tier",
        "stop",
        "store",
        "stream_options",
        "temperature",
        "tool_choice",
        "tools",
        "top_logprobs",
        "top_p",
        "user",
        "verbosity",
        "web_search_options",
    }
)

OPENAI_EMBEDDING_PARAMS: frozenset[str] = frozenset({"dimensions", "encoding_format", "user"})

OPENAI_TEXT_COMPLETION_PARAMS: frozenset[str] = frozenset(
    {
        "best_of",
        "echo",
        "frequency_penalty",
        "logit_bias",
        "logprobs",
        "max_tokens",
        "n",
        "presence_penalty",
        "seed",
        "stop",
        "suffix",
        "temperature",
        "top_p",
        "user",
    }
)
