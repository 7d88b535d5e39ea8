"""Running the mock: `MockServer` for tests (`async with`), `run_mock_server` for the CLI."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Any

from aiohttp import web
from aiohttp.log import access_logger

from lockgate.mock.app import create_mock_app
from lockgate.mock.recording import RecordedRequest
from lockgate.mock.scripting import parse_script
from lockgate.mock.settings import MockSettings
from lockgate.mock.state import STATE_KEY, MockState

__all__ = ["MockServer", "run_mock_server"]


class MockServer:
    """A mock provider server on a local port (0 picks a free one) for the `async with` body.

    >>> async with MockServer() as mock:
    ...     client = openai.AsyncOpenAI(base_url=mock.openai_base_url, api_key="sk-test")
    """

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, settings: MockSettings | None = None
    ) -> None:
        self.host = host
        self.port = port
        self.settings = settings or MockSettings()
        self.app = create_mock_app(self.settings)
        self._runner: web.AppRunner | None = None

    @property
    def _state(self) -> MockState:
        return self.app[STATE_KEY]

    @property
    def url(self) -> str:
        """`http://host:port`: the base URL for Anthropic and Gemini clients."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def openai_base_url(self) -> str:
        """`http://host:port/v1`: the base URL for OpenAI clients."""
        return self.url + "/v1"

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every recorded request, oldest first (the data of `GET /__mock/requests`)."""
        return self._state.log.snapshot()

    def script(self, behaviours: Sequence[dict[str, Any]] | dict[str, Any]) -> None:
        """Queue behaviours, exactly as `POST /__mock/script` does."""
        self._state.queue.push(parse_script(behaviours))

    def reset(self) -> None:
        """Forget queued behaviours and recorded requests."""
        self._state.reset()

    async def start(self) -> None:
        runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        address: Any = runner.addresses[0]
        self.port = int(address[1])

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> MockServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()


def run_mock_server(host: str, port: int, settings: MockSettings | None = None) -> None:
    """Serve the mock until interrupted (the `lockgate mock` command)."""
    settings = settings or MockSettings()

    def announce(_: str) -> None:
        url = f"http://{host}:{port}"
        print(
            f"lockgate mock serving on {url}\n"
            f"  OpenAI    base_url={url}/v1\n"
            f"  Anthropic base_url={url}\n"
            f"  Gemini    {url}/v1beta/models/<model>:generateContent\n"
            f"  control   {url}/__mock/script | /__mock/requests | /__mock/reset",
            flush=True,
        )

    web.run_app(
        create_mock_app(settings),
        host=host,
        port=port,
        access_log=access_logger if settings.access_log else None,
        print=announce,
    )
