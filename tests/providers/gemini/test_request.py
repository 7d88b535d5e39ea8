"""OpenAI-format calls to Gemini generateContent requests (pure translation)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from lockgate.errors import BadRequestError
from lockgate.providers.gemini.adapter import GeminiAdapter
from lockgate.providers.gemini.endpoints import gemini_root
from lockgate.providers.gemini.schema import gemini_schema
from tests.providers.gemini import recordings
from tests.providers.helpers import body_of, chat_call

ADAPTER = GeminiAdapter()


def build(
    messages: list[dict[str, Any]], model: str = "gemini-2.5-pro", **params: Any
) -> dict[str, Any]:
    return body_of(ADAPTER.build_chat_request(chat_call("gemini", model, messages, **params)))


def test_recorded_function_calling_request_is_reproduced() -> None:
    recorded = orjson.loads(recordings.TOOL_REQUEST)
    system = recorded["systemInstruction"]["parts"][0]["text"]
    tools = [
        {
            "type": "function",
            "function": {
                "name": "search_docs",
                "description": "A tiny search tool stub.",
                "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
            },
        },
        {
            "type": "function",
            "function": {
                "name": "multiply",
                "description": "Simple arithmetic tool.",
                "parameters": {
                    "type": "object",
                    "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                },
            },
        },
    ]
    body = build(
        [
            {"role": "system", "content": system},
            {"role": "user", "content": "Can you search for information about recurring revenue?"},
        ],
        tools=tools,
    )
    assert body["contents"] == recorded["contents"]
    assert body["tools"] == recorded["tools"]
    # The recording's client (Google ADK) also wrote "role": "user" into systemInstruction and
    # an empty generationConfig; both are optional and left out here.
    assert body["systemInstruction"] == {"parts": recorded["systemInstruction"]["parts"]}
    assert "generationConfig" not in body


def test_function_call_round_trip_with_thought_signature() -> None:
    body = build(
        [
            {"role": "user", "content": "search"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_abc__thought__CrUEAdHt",
                        "type": "function",
                        "function": {
                            "name": "search_docs",
                            "arguments": '{"query":"recurring revenue"}',
                        },
                    },
                    {
                        "id": "call_def",
                        "type": "function",
                        "function": {"name": "multiply", "arguments": '{"a":2,"b":3}'},
                    },
                ],
            },
            {
                "role": "tool",
                "tool_call_id": "call_abc__thought__CrUEAdHt",
                "content": '{"results": ["Found reference for: recurring revenue"]}',
            },
            {"role": "tool", "tool_call_id": "call_def", "content": "6"},
        ]
    )
    assert body["contents"][1] == {
        "role": "model",
        "parts": [
            {
                "functionCall": {"name": "search_docs", "args": {"query": "recurring revenue"}},
                "thoughtSignature": "CrUEAdHt",
            },
            {"functionCall": {"name": "multiply", "args": {"a": 2, "b": 3}}},
        ],
    }
    # Both results in one user turn; the first exactly as the recording's interaction 2.
    assert body["contents"][2] == {
        "role": "user",
        "parts": [
            {
                "functionResponse": {
                    "name": "search_docs",
                    "response": {"results": ["Found reference for: recurring revenue"]},
                }
            },
            {"functionResponse": {"name": "multiply", "response": {"content": 6}}},
        ],
    }


def test_generation_config_mapping() -> None:
    body = build(
        [{"role": "user", "content": "x"}],
        temperature=0.3,
        top_p=0.9,
        max_tokens=50,
        stop="END",
        n=2,
        seed=7,
        presence_penalty=0.1,
        frequency_penalty=0.2,
        top_k=40,
    )
    assert body["generationConfig"] == {
        "temperature": 0.3,
        "topP": 0.9,
        "topK": 40,
        "candidateCount": 2,
        "seed": 7,
        "presencePenalty": 0.1,
        "frequencyPenalty": 0.2,
        "maxOutputTokens": 50,
        "stopSequences": ["END"],
    }


def test_json_mode_and_schema() -> None:
    body = build([{"role": "user", "content": "x"}], response_format={"type": "json_object"})
    assert body["generationConfig"] == {"responseMimeType": "application/json"}
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["name"],
        "additionalProperties": False,
    }
    body = build(
        [{"role": "user", "content": "x"}],
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "o", "schema": schema, "strict": True},
        },
    )
    assert body["generationConfig"]["responseSchema"] == {
        "type": "OBJECT",
        "properties": {
            "name": {"type": "STRING"},
            "tags": {"type": "ARRAY", "items": {"type": "STRING"}},
        },
        "required": ["name"],
    }


@pytest.mark.parametrize(
    ("model", "effort", "expected"),
    [
        ("gemini-2.5-flash", "low", {"thinkingBudget": 1024, "includeThoughts": True}),
        ("gemini-2.5-flash", "high", {"thinkingBudget": 4096, "includeThoughts": True}),
        ("gemini-2.5-flash", "none", {"thinkingBudget": 0}),
        ("gemini-3-pro-preview", "medium", {"thinkingLevel": "high", "includeThoughts": True}),
        ("gemini-3-pro-preview", "low", {"thinkingLevel": "low", "includeThoughts": True}),
    ],
)
def test_reasoning_effort_to_thinking_config(
    model: str, effort: str, expected: dict[str, Any]
) -> None:
    body = build([{"role": "user", "content": "x"}], model=model, reasoning_effort=effort)
    assert body["generationConfig"]["thinkingConfig"] == expected


def test_tool_choice_modes() -> None:
    tools = [
        {
            "type": "function",
            "function": {"name": "f", "parameters": {"type": "object", "properties": {}}},
        }
    ]
    cases = {
        "auto": {"mode": "AUTO"},
        "required": {"mode": "ANY"},
        "none": {"mode": "NONE"},
    }
    for choice, expected in cases.items():
        body = build([{"role": "user", "content": "x"}], tools=tools, tool_choice=choice)
        assert body["toolConfig"] == {"functionCallingConfig": expected}
        # an object schema without properties is left out: Gemini refuses it
        assert body["tools"] == [{"functionDeclarations": [{"name": "f"}]}]
    body = build(
        [{"role": "user", "content": "x"}],
        tools=tools,
        tool_choice={"type": "function", "function": {"name": "f"}},
    )
    assert body["toolConfig"] == {
        "functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["f"]}
    }


def test_media_parts() -> None:
    body = build(
        [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "what is this?"},
                    {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/4AAQ"}},
                    {"type": "image_url", "image_url": {"url": "gs://bucket/cat.png"}},
                    {"type": "input_audio", "input_audio": {"data": "UklGR", "format": "wav"}},
                ],
            }
        ]
    )
    assert body["contents"][0]["parts"] == [
        {"text": "what is this?"},
        {"inlineData": {"mimeType": "image/jpeg", "data": "/9j/4AAQ"}},
        {"fileData": {"mimeType": "image/png", "fileUri": "gs://bucket/cat.png"}},
        {"inlineData": {"mimeType": "audio/wav", "data": "UklGR"}},
    ]


def test_url_key_header_and_api_base_forms() -> None:
    call = chat_call("gemini", "gemini-2.5-flash", [{"role": "user", "content": "x"}], stream=True)
    request = ADAPTER.build_chat_request(call)
    assert request.url == (
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
    )
    assert request.headers["x-goog-api-key"] == "test-key"
    assert "key=" not in request.url
    for base in (
        "https://generativelanguage.googleapis.com",
        "https://generativelanguage.googleapis.com/",
        "https://generativelanguage.googleapis.com/v1beta",
    ):
        assert gemini_root(base) == "https://generativelanguage.googleapis.com/v1beta"
    assert gemini_root("https://generativelanguage.googleapis.com/v1") == (
        "https://generativelanguage.googleapis.com/v1"
    )


def test_passthrough_params() -> None:
    safety = [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}]
    body = build(
        [{"role": "user", "content": "x"}],
        safety_settings=safety,
        cached_content="cachedContents/abc",
        generation_config={"responseModalities": ["TEXT"]},
    )
    assert body["safetySettings"] == safety
    assert body["cachedContent"] == "cachedContents/abc"
    assert body["generationConfig"] == {"responseModalities": ["TEXT"]}


def test_schema_conversion_edge_cases() -> None:
    schema = {
        "$defs": {"Color": {"type": "string", "enum": ["red", "green"]}},
        "type": "object",
        "properties": {
            "color": {"$ref": "#/$defs/Color"},
            "maybe": {"type": ["integer", "null"]},
            "either": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "fixed": {"const": "x"},
            "free": {"type": "object", "additionalProperties": True},
        },
    }
    assert gemini_schema(schema) == {
        "type": "OBJECT",
        "properties": {
            "color": {"type": "STRING", "enum": ["red", "green"]},
            "maybe": {"type": "INTEGER", "nullable": True},
            "either": {"type": "STRING", "nullable": True},
            "fixed": {"type": "STRING", "enum": ["x"]},
            "free": {"type": "OBJECT"},
        },
    }
    recursive = {
        "$defs": {"N": {"type": "object", "properties": {"next": {"$ref": "#/$defs/N"}}}},
        "$ref": "#/$defs/N",
    }
    with pytest.raises(BadRequestError, match="recursive"):
        gemini_schema(recursive)


def test_unsupported_params_and_parallel_tool_calls() -> None:
    supported = ADAPTER.supported_params(
        chat_call("gemini", "gemini-2.5-flash", [], parallel_tool_calls=False)
    )
    assert "parallel_tool_calls" not in supported
    assert {"logit_bias", "logprobs", "user"}.isdisjoint(supported)
    assert {"n", "seed", "stop", "tools", "response_format", "reasoning_effort"} <= supported
    assert "parallel_tool_calls" in ADAPTER.supported_params(
        chat_call("gemini", "gemini-2.5-flash", [], parallel_tool_calls=True)
    )
