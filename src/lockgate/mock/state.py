"""Everything a mock app remembers, held on the app instance (no module-level state)."""

from __future__ import annotations

from aiohttp import web

from lockgate.mock.behaviour import Behaviour
from lockgate.mock.recording import RequestLog
from lockgate.mock.scripting import ModelNameCache, ScriptQueue
from lockgate.mock.settings import MockSettings

__all__ = ["STATE_KEY", "MockState"]


class MockState:
    def __init__(self, settings: MockSettings) -> None:
        self.settings = settings
        self.defaults = Behaviour(
            latency_ms=settings.latency_ms or None,
            tokens_per_second=settings.tokens_per_second or None,
            retry_after_s=settings.retry_after_s,
        )
        self.queue = ScriptQueue()
        self.log = RequestLog(settings.max_recorded_requests)
        self.model_names = ModelNameCache()

    def reset(self) -> None:
        self.queue.clear()
        self.log.clear()


STATE_KEY: web.AppKey[MockState] = web.AppKey("lockgate_mock_state", MockState)
