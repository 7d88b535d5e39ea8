"""Mock provider servers: fake OpenAI, Anthropic and Gemini upstreams on their real wire formats.

Used by lockgate's tests and benchmarks, by `lockgate mock`, and for users' own load tests.
Bodies, key order, SSE framing and headers follow the recordings in wire-formats.md. Any
non-empty key is accepted, the provider's way: OpenAI `Authorization: Bearer`, Anthropic
`x-api-key` (or Bearer) plus `anthropic-version`, Gemini `x-goog-api-key` or `?key=`.

Endpoints (each OpenAI/Anthropic path also without `/v1`):
  OpenAI     POST /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/responses;
             GET /v1/models, /v1/models/{id}
  Anthropic  POST /v1/messages, /v1/messages/count_tokens; GET /v1/models (x-api-key)
  Gemini     POST /v1beta/models/{model}:generateContent | :streamGenerateContent[?alt=sse]
             | :embedContent | :batchEmbedContents | :countTokens; GET /v1beta/models
  Azure      POST /openai/deployments/{d}/chat/completions|/embeddings?api-version=...,
             POST /openai/v1/chat/completions|/embeddings (api-key or Bearer)
  Bedrock    POST /model/{id}/converse | /converse-stream (AWS event stream) | /invoke
  Cohere     POST /v2/chat, /v2/embed, /v2/rerank
  Ollama     POST /api/chat (NDJSON), /api/embed
  Control    POST /__mock/script, GET /__mock/script, GET /__mock/requests,
             POST /__mock/reset, GET /__mock/health

Replies are deterministic: "This is a mock reply to: <last user message>"; a request with
tools gets a call to the first (or the forced) tool unless it ends with a tool result; JSON
response formats get JSON matching the schema; Anthropic `thinking` adds a thinking block.
Usage: prompt tokens = ceil(characters / 4), completion tokens = streamed word pieces.

Scripting, strongest first (field names are those of `Behaviour`):
  header                      script key            model-name word
  x-mock-status: 429          status                error-429
  x-mock-error: rate_limit    error                 error-rate_limit
  x-mock-retry-after: 2       retry_after_s         retry-2s
  x-mock-latency-ms: 200      latency_ms            slow-200ms / latency-1.5s
  x-mock-tokens-per-second: 50  tokens_per_second   tps-50
  x-mock-break-after: 3       break_after           break-3
  x-mock-stream-error-after: 3  stream_error_after  midstream-3
  x-mock-content: Hi          content               -
  x-mock-reply-tokens: 500    reply_tokens          tokens-500
  x-mock-usage: 10,20         usage ([10, 20])      -

Error kinds: invalid_request, context_length, auth, permission, not_found, rate_limit, quota,
server, unavailable, overloaded, timeout. A bare status picks its kind (400 is the
context-window error); a bare kind picks the provider's status (overloaded: 529 on Anthropic,
503 elsewhere). Each provider answers with its real body and headers (`retry-after` and
OpenAI's `retry-after-ms` on 429/503, Gemini's `RetryInfo.retryDelay`, Anthropic's
`x-should-retry`).

Model names starting with `mock-` are read as words; unknown words are labels and ignored:
`mock-error-429`, `mock-slow-200ms`, `mock-east-tps-20-tokens-300`.

`POST /__mock/script` takes a list of behaviour objects (each may have `"model"` and
`"times"`) or an object mapping model names to lists; each entry is used by one request (the
model's own queue first, then the global one). `GET /models` and `count_tokens` never
consume entries. See docs/mock.md for the full reference.
"""

from lockgate.mock.app import create_mock_app
from lockgate.mock.behaviour import Behaviour, BehaviourError
from lockgate.mock.recording import RecordedRequest
from lockgate.mock.server import MockServer, run_mock_server
from lockgate.mock.settings import MockSettings

__all__ = [
    "Behaviour",
    "BehaviourError",
    "MockServer",
    "MockSettings",
    "RecordedRequest",
    "create_mock_app",
    "run_mock_server",
]
