"""OpenAI-shaped data types returned by every provider."""

from lockgate.types.chat import (
    ChatCompletion,
    ChatCompletionChunk,
    Choice,
    ChunkChoice,
    Delta,
    FunctionCall,
    Message,
    ToolCall,
)
from lockgate.types.embeddings import Embedding, EmbeddingResponse, TextChoice, TextCompletion
from lockgate.types.usage import CompletionTokensDetails, PromptTokensDetails, Usage
from lockgate.types.wire_model import WireModel

__all__ = [
    "ChatCompletion",
    "ChatCompletionChunk",
    "Choice",
    "ChunkChoice",
    "CompletionTokensDetails",
    "Delta",
    "Embedding",
    "EmbeddingResponse",
    "FunctionCall",
    "Message",
    "PromptTokensDetails",
    "TextChoice",
    "TextCompletion",
    "ToolCall",
    "Usage",
    "WireModel",
]
