"""OpenAI's protocol, spoken by OpenAI and every OpenAI-compatible provider."""

from lockgate.providers.openai.adapter import OpenAIAdapter

__all__ = ["OpenAIAdapter"]
