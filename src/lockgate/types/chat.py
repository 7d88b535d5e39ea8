"""OpenAI Chat Completions response types (non-stream and stream chunks)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from lockgate.types.usage import Usage
from lockgate.types.wire_model import PricedResponse, WireModel

__all__ = [
    "ChatCompletion",
    "ChatCompletionChunk",
    "Choice",
    "ChunkChoice",
    "Delta",
    "FunctionCall",
    "Message",
    "ToolCall",
]


@dataclass(slots=True, eq=True)
class FunctionCall(WireModel):
    name: str | None = None
    arguments: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True, eq=True)
class ToolCall(WireModel):
    id: str | None = None
    type: str = "function"
    function: FunctionCall = field(default_factory=FunctionCall)
    # Present in stream deltas only.
    index: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    omit_when_none: ClassVar[frozenset[str]] = frozenset({"index"})


@dataclass(slots=True, eq=True)
class Message(WireModel):
    role: str = "assistant"
    content: str | None = None
    refusal: str | None = None
    tool_calls: list[ToolCall] | None = None
    # Reasoning text from providers that expose it (Anthropic thinking, DeepSeek, Gemini).
    reasoning_content: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    omit_when_none: ClassVar[frozenset[str]] = frozenset({"tool_calls", "reasoning_content"})


@dataclass(slots=True, eq=True)
class Choice(WireModel):
    index: int = 0
    message: Message = field(default_factory=Message)
    finish_reason: str | None = None
    logprobs: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True, eq=True)
class ChatCompletion(PricedResponse):
    id: str = ""
    object: str = "chat.completion"
    created: int = 0
    model: str = ""
    choices: list[Choice] = field(default_factory=list)
    usage: Usage | None = None
    system_fingerprint: str | None = None
    service_tier: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Data about the call that is not part of the wire body (cost, provider, deployment...).
    # ``response._hidden_params["response_cost"]`` is how LiteLLM users read the cost.
    _hidden_params: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    # The provider's own JSON when it already is this object's wire form (OpenAI protocol,
    # nothing rewritten): the gateway sends these bytes instead of serialising again.
    _wire_bytes: bytes | None = field(default=None, repr=False, compare=False)
    # The decoded body of a response made by :meth:`deferred`, until a field is first read.
    _pending: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False)
    omit_when_none: ClassVar[frozenset[str]] = frozenset({"service_tier", "system_fingerprint"})

    def wire_bytes(self) -> bytes:
        """This response as JSON bytes (the provider's own when unchanged)."""
        return self._wire_bytes if self._wire_bytes is not None else self.to_json_bytes()

    @classmethod
    def deferred(cls, data: dict[str, Any], wire_bytes: bytes) -> ChatCompletion:
        """A response whose wire form is ``wire_bytes`` (``data`` decoded): only ``usage`` is
        built now; the other fields on first read. The gateway sends the bytes and reads the
        usage alone, so it never pays for the typed choices."""
        self = cls.__new__(cls)
        usage = data.get("usage")
        self.usage = Usage.from_dict(usage) if isinstance(usage, (dict, Mapping)) else usage
        self._hidden_params = {}
        self._wire_bytes = wire_bytes
        self._pending = data
        return self

    if not TYPE_CHECKING:  # hidden from mypy, which would then allow any attribute

        def __getattr__(self, name: str) -> Any:
            # Reached only for a slot never set: the fields of a deferred response.
            pending = None if name == "_pending" else self._pending
            if pending is None:
                raise AttributeError(name)
            self._pending = None
            built = type(self).from_dict(pending)
            for wire_field in (*type(self)._wire_fields(), "extra"):
                if wire_field == "usage":
                    continue  # built already, and maybe read
                try:
                    object.__getattribute__(self, wire_field)
                except AttributeError:  # not written since (a write wins over the body)
                    setattr(self, wire_field, getattr(built, wire_field))
            return object.__getattribute__(self, name)


@dataclass(slots=True, eq=True)
class Delta(WireModel):
    role: str | None = None
    content: str | None = None
    refusal: str | None = None
    tool_calls: list[ToolCall] | None = None
    reasoning_content: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    omit_when_none: ClassVar[frozenset[str]] = frozenset(
        {"role", "content", "refusal", "tool_calls", "reasoning_content"}
    )


@dataclass(slots=True, eq=True)
class ChunkChoice(WireModel):
    index: int = 0
    delta: Delta = field(default_factory=Delta)
    finish_reason: str | None = None
    logprobs: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True, eq=True)
class ChatCompletionChunk(WireModel):
    id: str = ""
    object: str = "chat.completion.chunk"
    created: int = 0
    model: str = ""
    choices: list[ChunkChoice] = field(default_factory=list)
    usage: Usage | None = None
    system_fingerprint: str | None = None
    service_tier: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    _hidden_params: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    omit_when_none: ClassVar[frozenset[str]] = frozenset(
        {"usage", "service_tier", "system_fingerprint"}
    )
