"""Verbatim Anthropic recordings from ../shared/wire-formats.md §3 (sources cited there)."""

# Verbatim recordings keep their original long lines.

from __future__ import annotations

# §3.2, DD tests/cassettes/anthropic/anthropic_v1_messages_post_4ff9791e.json
TEXT_REQUEST = (
    b'{"max_tokens":15,"messages":[{"role":"user","content":"When do you use \'whom\' instead'
    b' of \'who\'?"}],"model":"claude-sonnet-4-5-20250929","temperature":0.0}'
)
TEXT_RESPONSE = (
    b'{"model":"claude-sonnet-4-5-20250929","id":"msg_01ErAMJd3TSPp7wTfEG9kSj5","type":"message",'
    b'"role":"assistant","content":[{"type":"text","text":"# Who vs. Whom\\n\\n**Simple rule:** \\n'
    b'- **"}],"stop_reason":"max_tokens","stop_sequence":null,"stop_details":null,"usage":'
    b'{"input_tokens":22,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,'
    b'"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},'
    b'"output_tokens":15,"service_tier":"standard","inference_geo":"not_available"}}'
)

# §3.2, DD tests/cassettes/anthropic/anthropic_v1_messages_post_28bbec95.json
TOOL_REQUEST = (
    b'{"max_tokens":64000,"messages":[{"role":"user","content":"What is the sum of 1 and 2?"}],'
    b'"model":"claude-sonnet-4-5-20250929","temperature":1.0,"tools":[{"name":"add",'
    b'"input_schema":{"properties":{"a":{"type":"integer"},"b":{"type":"integer"}},'
    b'"required":["a","b"],"type":"object"},"description":"Adds a and b.\\n\\n        Args:\\n'
    b'            a: first int\\n            b: second int"}]}'
)
TOOL_RESPONSE = (
    b'{"model":"claude-sonnet-4-5-20250929","id":"msg_01PA7kvz8Fj2N3Y6PqWy6iaN","type":"message",'
    b'"role":"assistant","content":[{"type":"tool_use","id":"toolu_01E1nTDhsEjAChantYkxdavm",'
    b'"name":"add","input":{"a":1,"b":2},"caller":{"type":"direct"}}],"stop_reason":"tool_use",'
    b'"stop_sequence":null,"stop_details":null,"usage":{"input_tokens":599,'
    b'"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"cache_creation":'
    b'{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"output_tokens":68,'
    b'"service_tier":"standard","inference_geo":"not_available"}}'
)

# §3.3, ANT tests/lib/streaming/fixtures/basic_response.txt (with the closing blank line)
BASIC_STREAM = b"""event: message_start
data: {"type":"message_start","message":{"id":"msg_4QpJur2dWWDjF6C758FbBw5vm12BaVipnK","type":"message","role":"assistant","content":[],"model":"claude-3-opus-latest","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":11,"output_tokens":1}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" there"}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"!"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":6}}

event: message_stop
data: {"type":"message_stop"}

"""

# §3.3, ANT tests/lib/streaming/fixtures/tool_use_response.txt
TOOL_STREAM = b"""event: message_start
data: {"type":"message_start","message":{"id":"msg_019Q1hrJbZG26Fb9BQhrkHEr","type":"message","role":"assistant","model":"claude-sonnet-4-20250514","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":377,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1,"service_tier":"standard"}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"I"}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"'ll check the current weather in Paris for you."}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: content_block_start
data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01NRLabsLyVHZPKxbKvkfSMn","name":"get_weather","caller":{"type":"direct"},"input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"locati"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"on\\": \\"P"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"ar"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"is\\"}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":1}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":65}}

event: message_stop
data: {"type":"message_stop"}

"""

# §3.3, VERCEL packages/anthropic/src/__fixtures__/anthropic-clear-thinking.1.chunks.txt
# (data payloads only, one event per line).
THINKING_STREAM_DATA = [
    '{"type":"message_start","message":{"model":"claude-sonnet-4-5-20250929","id":"msg_01Y6V41gqPaKWEw7iPouH7iW","type":"message","role":"assistant","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":69,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"output_tokens":2,"service_tier":"standard","inference_geo":"not_available"}}}',
    '{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}',
    '{"type":"ping"}',
    '{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"The previous"}}',
    '{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":" result"}}',
    '{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":" was"}}',
    '{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":" 925."}}',
    '{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":" Now"}}',
    '{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":" I need to divide that"}}',
    '{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":" by 5.\\n\\n925"}}',
    '{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":" ÷ 5 "}}',
    '{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"= 185"}}',
    '{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":""}}',
    '{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EvQBCkYICxgCKkAxhD4NUKFzudtZ6NzbZdEiBACIScTzqjPViM596iWLZIk4EFKYYBj3B6Ptl3b0dcQv/VeJBNbejNWIWRBn+KPNEgz6HWtKx7p+QRgKsEoaDGjsiqfht7gTRFYHiyIwD1VSmNqHxv3wy8KEMP+LYb/TC4UH3H97tuoaADARFFcA0phdfxnzKQxFnc9lwY+dKlzUsaKSUAFeu1bDL5ikZJ1vL0Fkz6JjoFke0L/wOJRIUDUlDUOFJ1tZ3ea7g6LGE/5hwuvWgLwewdcm64d+43l7F57XrOmqNd6flI2K/oPr/4yzNgvi/EhT6Ca17BgB"}}',
    '{"type":"content_block_stop","index":0}',
    '{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}',
    '{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"925"}}',
    '{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":" ÷ 5 "}}',
    '{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"= 185"}}',
    '{"type":"content_block_stop","index":1}',
    '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":69,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":53},"context_management":{"applied_edits":[]}}',
    '{"type":"message_stop"}',
]

# §3.4
ERROR_401 = (
    b'{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"},'
    b'"request_id":"req_011CVa2kcigwBtMFroktdQ2q"}'
)
ERROR_529 = (
    b'{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},'
    b'"request_id":"req_011CZquRQNtQiXTvkLNPnid4"}'
)
STREAM_ERROR_529 = (
    b'event: error\ndata: {"type": "error", "error": {"type": "overloaded_error", '
    b'"message": "Overloaded"}}\n\n'
)
