"""Cohere v2 recordings, VERBATIM from wire-formats §6.1 (VERCEL cohere fixtures): the
non-stream bodies and one SSE ``data:`` payload per stream event."""

from __future__ import annotations

TEXT_RESPONSE = b'{\n  "id": "e7592632-1e3d-424f-b129-bd5f9f980f7b",\n  "message": {\n    "role": "assistant",\n    "content": [\n      {\n        "type": "text",\n        "text": "The capital of France is Paris."\n      }\n    ]\n  },\n  "finish_reason": "COMPLETE",\n  "usage": {\n    "billed_units": {\n      "input_tokens": 12,\n      "output_tokens": 7\n    },\n    "tokens": {\n      "input_tokens": 507,\n      "output_tokens": 10\n    },\n    "cached_tokens": 448\n  }\n}'
TOOL_CALL_RESPONSE = b'{\n  "id": "f201af17-e24a-4396-8f6a-98e8bf9c3432",\n  "message": {\n    "role": "assistant",\n    "tool_plan": "I will use the weather tool to find out the weather in San Francisco. I will also use the cityAttractions tool to find out what attractions are in San Francisco.",\n    "tool_calls": [\n      {\n        "id": "weather_dqgshstja6p9",\n        "type": "function",\n        "function": {\n          "name": "weather",\n          "arguments": "{\\"location\\":\\"San Francisco\\"}"\n        }\n      },\n      {\n        "id": "cityAttractions_dcxfx4myvx68",\n        "type": "function",\n        "function": {\n          "name": "cityAttractions",\n          "arguments": "{\\"city\\":\\"San Francisco\\"}"\n        }\n      }\n    ]\n  },\n  "finish_reason": "TOOL_CALL",\n  "usage": {\n    "billed_units": {\n      "input_tokens": 119,\n      "output_tokens": 52\n    },\n    "tokens": {\n      "input_tokens": 1549,\n      "output_tokens": 103\n    },\n    "cached_tokens": 992\n  }\n}'
TEXT_STREAM: tuple[bytes, ...] = (
    b'{"id":"321d178c-2c12-44d3-ae42-2f5510f6b1cc","type":"message-start","delta":{"message":{"role":"assistant","content":[],"tool_plan":"","tool_calls":[],"citations":[]}}}',
    b'{"type":"content-start","index":0,"delta":{"message":{"content":{"type":"text","text":""}}}}',
    b'{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":"The"}}}}',
    b'{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":" capital"}}}}',
    b'{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":" of"}}}}',
    b'{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":" France"}}}}',
    b'{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":" is"}}}}',
    b'{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":" Paris"}}}}',
    b'{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":"."}}}}',
    b'{"type":"content-end","index":0}',
    b'{"type":"message-end","delta":{"finish_reason":"COMPLETE","usage":{"billed_units":{"input_tokens":12,"output_tokens":7},"tokens":{"input_tokens":507,"output_tokens":10},"cached_tokens":448}}}',
)
# The document omits the other tool-plan deltas and the second call (index 1).
TOOL_CALL_STREAM: tuple[bytes, ...] = (
    b'{"id":"2941521a-b87a-45f6-9b0d-235fd66c3025","type":"message-start","delta":{"message":{"role":"assistant","content":[],"tool_plan":"","tool_calls":[],"citations":[]}}}',
    b'{"type":"tool-plan-delta","delta":{"message":{"tool_plan":"I"}}}',
    b'{"type":"tool-plan-delta","delta":{"message":{"tool_plan":" will"}}}',
    b'{"type":"tool-call-start","index":0,"delta":{"message":{"tool_calls":{"id":"weather_e8p4pn45zt0t","type":"function","function":{"name":"weather","arguments":""}}}}}',
    b'{"type":"tool-call-delta","index":0,"delta":{"message":{"tool_calls":{"function":{"arguments":"{\\""}}}}}',
    b'{"type":"tool-call-delta","index":0,"delta":{"message":{"tool_calls":{"function":{"arguments":"location"}}}}}',
    b'{"type":"tool-call-delta","index":0,"delta":{"message":{"tool_calls":{"function":{"arguments":"\\":"}}}}}',
    b'{"type":"tool-call-delta","index":0,"delta":{"message":{"tool_calls":{"function":{"arguments":" \\""}}}}}',
    b'{"type":"tool-call-delta","index":0,"delta":{"message":{"tool_calls":{"function":{"arguments":"San"}}}}}',
    b'{"type":"tool-call-delta","index":0,"delta":{"message":{"tool_calls":{"function":{"arguments":" Francisco"}}}}}',
    b'{"type":"tool-call-delta","index":0,"delta":{"message":{"tool_calls":{"function":{"arguments":"\\"}"}}}}}',
    b'{"type":"tool-call-end","index":0}',
    b'{"type":"message-end","delta":{"finish_reason":"TOOL_CALL","usage":{"billed_units":{"input_tokens":119,"output_tokens":44},"tokens":{"input_tokens":1549,"output_tokens":95},"cached_tokens":1504}}}',
)
