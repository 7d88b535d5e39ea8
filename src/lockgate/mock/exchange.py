"""The steps every provider route shares: read, record, authenticate, validate, script, wait."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web

from lockgate.mock.behaviour import Behaviour, BehaviourError
from lockgate.mock.failures import Dialect, Failure, failure_for
from lockgate.mock.recording import RecordedRequest
from lockgate.mock.scripting import behaviour_from_headers
from lockgate.mock.sse import StreamEvent, drop_connection, write_stream
from lockgate.mock.state import STATE_KEY, MockState

__all__ = ["Exchange", "Validator", "begin"]

# Returns (message, param) describing why the provider would reject the body, or None.
Validator = Callable[[dict[str, Any]], tuple[str, str | None] | None]

_DEFAULT_STREAM_FAILURE: dict[str, str] = {"openai": "server"}


@dataclass(slots=True)
class Exchange:
    request: web.Request
    state: MockState
    dialect: Dialect
    body: dict[str, Any]
    model: str
    behaviour: Behaviour
    stream: bool

    def stream_failure(self) -> Failure:
        """The failure an in-stream error event reports (the scripted one, else a default)."""
        failure = failure_for(self.behaviour, self.dialect.status_for_kind)
        if failure is not None:
            return failure
        kind = _DEFAULT_STREAM_FAILURE.get(self.dialect.name, "overloaded")
        return Failure(kind, self.dialect.status_for_kind[kind], self.behaviour.retry_after_s or 0)

    async def send_stream(
        self,
        response: web.StreamResponse,
        events: Iterable[StreamEvent],
        error_event: Callable[[int], bytes] | None = None,
    ) -> web.StreamResponse:
        def default_error_event(_: int) -> bytes:
            return self.dialect.stream_error(self.stream_failure(), self.model)

        return await write_stream(
            self.request, response, events, self.behaviour, error_event or default_error_event
        )


def _record(request: web.Request, state: MockState, body: Any) -> None:
    entry: RecordedRequest = {
        "method": request.method,
        "path": request.path,
        "query": dict(request.query),
        "headers": {name.lower(): value for name, value in request.headers.items()},
        "body": body,
    }
    state.log.add(entry)


def _resolve(request: web.Request, state: MockState, model: str, consume: bool) -> Behaviour:
    behaviour = state.defaults
    named = state.model_names.get(model) if model else None
    if named is not None:
        behaviour = named.over(behaviour)
    if consume:
        queued = state.queue.pop(model)
        if queued is not None:
            behaviour = queued.over(behaviour)
    scripted = behaviour_from_headers(request.headers)
    if scripted is not None:
        behaviour = scripted.over(behaviour)
    return behaviour


async def begin(
    request: web.Request,
    dialect: Dialect,
    *,
    model: str | None = None,
    validate: Validator | None = None,
    stream: bool | None = None,
    consume_script: bool = True,
    has_body: bool = True,
) -> Exchange | web.Response:
    """Everything before the reply; returns the provider's error response where one is due."""
    state = request.app[STATE_KEY]
    body: Any = {}
    if has_body:
        raw = await request.read()
        try:
            body = orjson.loads(raw) if raw else None
        except orjson.JSONDecodeError:
            body = None
    if state.settings.record_requests:
        _record(request, state, body)
    if state.settings.require_auth:
        denied = dialect.authenticate(request)
        if denied is not None:
            return denied
    if not isinstance(body, dict):
        return dialect.invalid_request("We could not parse the JSON body of your request.")
    if model is None:
        raw_model = body.get("model")
        model = raw_model if isinstance(raw_model, str) else ""
    if validate is not None and state.settings.validate_requests:
        problem = validate(body)
        if problem is not None:
            return dialect.invalid_request(*problem)
    try:
        behaviour = _resolve(request, state, model, consume_script)
    except BehaviourError as exc:
        return dialect.invalid_request(f"lockgate mock: {exc}")
    if behaviour.latency_ms:
        await asyncio.sleep(behaviour.latency_ms / 1000.0)
    streaming = bool(body.get("stream")) if stream is None else stream
    if behaviour.break_after is not None and not streaming:
        # A non-stream request scripted to break gets no answer at all.
        drop_connection(request)
        return web.Response(status=204)  # never sent: the transport is closed
    if behaviour.fails and not (streaming and behaviour.stream_error_after is not None):
        failure = failure_for(behaviour, dialect.status_for_kind)
        assert failure is not None
        return dialect.error_response(failure, model, request)
    return Exchange(request, state, dialect, body, model, behaviour, streaming)
