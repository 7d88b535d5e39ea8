"""Bedrock ConverseStream recording (wire-formats §5.3, DD bedrock_converse_stream.yaml):
one (total length, headers length, event type, payload) per frame, payloads VERBATIM."""

from __future__ import annotations

FIRST_FRAME_HEX = (
    "000000aa00000052dad068860b3a6576656e742d7479706507000c6d65737361676553746172740d3a636f6e"
    "74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d747970650700"
    "056576656e747b2270223a226162636465666768696a6b6c6d6e6f707172737475767778797a414243444546"
    "4748494a4b4c4d4e4f50515253222c22726f6c65223a22617373697374616e74227d72033e7b"
)

FRAMES: tuple[tuple[int, int, str, bytes], ...] = (
    (
        170,
        82,
        "messageStart",
        b'{"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS","role":"assistant"}',
    ),
    (
        216,
        87,
        "contentBlockDelta",
        b'{"contentBlockIndex":0,"delta":{"text":"Okay"},"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456"}',
    ),
    (
        196,
        87,
        "contentBlockDelta",
        b'{"contentBlockIndex":0,"delta":{"text":","},"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"}',
    ),
    (
        167,
        87,
        "contentBlockDelta",
        b'{"contentBlockIndex":0,"delta":{"text":" let"},"p":"abcdefghij"}',
    ),
    (
        217,
        87,
        "contentBlockDelta",
        b'{"contentBlockIndex":0,"delta":{"text":" me"},"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012345678"}',
    ),
    (
        213,
        87,
        "contentBlockDelta",
        b'{"contentBlockIndex":0,"delta":{"text":" use"},"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123"}',
    ),
    (
        189,
        87,
        "contentBlockDelta",
        b'{"contentBlockIndex":0,"delta":{"text":" the"},"p":"abcdefghijklmnopqrstuvwxyzABCDEF"}',
    ),
    (
        197,
        87,
        "contentBlockDelta",
        b'{"contentBlockIndex":0,"delta":{"text":" tool"},"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLM"}',
    ),
    (
        195,
        87,
        "contentBlockDelta",
        b'{"contentBlockIndex":0,"delta":{"text":" to"},"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLM"}',
    ),
    (
        206,
        87,
        "contentBlockDelta",
        b'{"contentBlockIndex":0,"delta":{"text":" fetch"},"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"}',
    ),
    (
        216,
        87,
        "contentBlockDelta",
        b'{"contentBlockIndex":0,"delta":{"text":" an"},"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234567"}',
    ),
    (
        183,
        87,
        "contentBlockDelta",
        b'{"contentBlockIndex":0,"delta":{"text":" expert"},"p":"abcdefghijklmnopqrstuvw"}',
    ),
    (
        184,
        87,
        "contentBlockDelta",
        b'{"contentBlockIndex":0,"delta":{"text":" explanation"},"p":"abcdefghijklmnopqrs"}',
    ),
    (
        193,
        87,
        "contentBlockDelta",
        b'{"contentBlockIndex":0,"delta":{"text":" for"},"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"}',
    ),
    (
        159,
        87,
        "contentBlockDelta",
        b'{"contentBlockIndex":0,"delta":{"text":" the"},"p":"ab"}',
    ),
    (
        216,
        87,
        "contentBlockDelta",
        b'{"contentBlockIndex":0,"delta":{"text":" concept"},"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012"}',
    ),
    (
        161,
        87,
        "contentBlockDelta",
        b'{"contentBlockIndex":0,"delta":{"text":" of"},"p":"abcde"}',
    ),
    (
        198,
        87,
        "contentBlockDelta",
        b'{"contentBlockIndex":0,"delta":{"text":" distribute"},"p":"abcdefghijklmnopqrstuvwxyzABCDEFGH"}',
    ),
    (
        187,
        87,
        "contentBlockDelta",
        b'{"contentBlockIndex":0,"delta":{"text":"d tr"},"p":"abcdefghijklmnopqrstuvwxyzABCD"}',
    ),
    (
        211,
        87,
        "contentBlockDelta",
        b'{"contentBlockIndex":0,"delta":{"text":"acing"},"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0"}',
    ),
    (
        163,
        87,
        "contentBlockDelta",
        b'{"contentBlockIndex":0,"delta":{"text":"."},"p":"abcdefghi"}',
    ),
    (
        173,
        86,
        "contentBlockStop",
        b'{"contentBlockIndex":0,"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNO"}',
    ),
    (
        274,
        87,
        "contentBlockStart",
        b'{"contentBlockIndex":1,"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXY","start":{"toolUse":{"name":"fetch_concept","toolUseId":"tooluse_HA9wsJ32RhOvn8XgIUDpGA"}}}',
    ),
    (
        198,
        87,
        "contentBlockDelta",
        b'{"contentBlockIndex":1,"delta":{"toolUse":{"input":""}},"p":"abcdefghijklmnopqrstuvwxyzABCDEF"}',
    ),
    (
        185,
        87,
        "contentBlockDelta",
        b'{"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\\"concept\\": "}},"p":"abcde"}',
    ),
    (
        190,
        87,
        "contentBlockDelta",
        b'{"contentBlockIndex":1,"delta":{"toolUse":{"input":"\\"distri"}},"p":"abcdefghijklmnop"}',
    ),
    (
        220,
        87,
        "contentBlockDelta",
        b'{"contentBlockIndex":1,"delta":{"toolUse":{"input":"buted tr"}},"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRST"}',
    ),
    (
        186,
        87,
        "contentBlockDelta",
        b'{"contentBlockIndex":1,"delta":{"toolUse":{"input":"acing"}},"p":"abcdefghijklmno"}',
    ),
    (
        219,
        87,
        "contentBlockDelta",
        b'{"contentBlockIndex":1,"delta":{"toolUse":{"input":"\\"}"}},"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX"}',
    ),
    (
        165,
        86,
        "contentBlockStop",
        b'{"contentBlockIndex":1,"p":"abcdefghijklmnopqrstuvwxyzABCDEFG"}',
    ),
    (
        190,
        81,
        "messageStop",
        b'{"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012345678","stopReason":"tool_use"}',
    ),
    (
        215,
        78,
        "metadata",
        b'{"metrics":{"latencyMs":1841},"p":"abcdefghijklmnopqrst","usage":{"inputTokens":259,"outputTokens":64,"totalTokens":323}}',
    ),
)
