"""One gateway process: where its config comes from, the demo mock, reloads, shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from collections.abc import Callable, Mapping
from pathlib import Path

from lockgate.config import Config
from lockgate.config.launch import LaunchSpec, launch_config
from lockgate.gateway.app import GatewayApp
from lockgate.gateway.control_plane import ControlPlane
from lockgate.gateway.factory import create_app
from lockgate.gateway.master_key import load_or_create_master_key
from lockgate.gateway.state import GatewayState, build_state
from lockgate.observability import AccessLog
from lockgate.security.secret import Secret

__all__ = ["GatewayRuntime", "ServingGate", "ServingRefused", "free_loopback_port"]

# Blocks until serving may go ahead (True) or must not (False): `lockgate verify`'s verdict.
ServingGate = Callable[[], bool]


class ServingRefused(RuntimeError):
    """The serving gate said no (the environment failed `lockgate verify`)."""


def free_loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class GatewayRuntime:
    def __init__(
        self,
        launch: LaunchSpec,
        env: Mapping[str, str],
        *,
        access_log: AccessLog | None = None,
        handle_sighup: bool = True,
        before_serving: ServingGate | None = None,
    ) -> None:
        self.launch = launch
        # Asked (in a thread: it may wait) once the app has started, before the port is
        # bound; False stops the start-up.
        self._before_serving = before_serving
        self.refused = False
        self._env = env
        self._access_log = access_log or AccessLog()
        self._handle_sighup = handle_sighup
        self._mock_port = free_loopback_port() if launch.demo else None
        self._mock: object | None = None
        self._retired: list[GatewayState] = []
        self._reloads: set[asyncio.Task[bool]] = set()
        self._control: ControlPlane | None = None
        self.app: GatewayApp | None = None

    def load_config(self) -> Config:
        return launch_config(self.launch, self._env, f"http://127.0.0.1:{self._mock_port}")

    def master_key(self, config: Config) -> Secret:
        if config.general.master_key:
            return config.general.master_key
        key, _ = load_or_create_master_key(Path(self.launch.data_dir))
        return key

    def data_dir(self, config: Config) -> Path:
        return Path(config.lockgate.data_dir or self.launch.data_dir)

    def build_app(self) -> GatewayApp:
        config = self.load_config()
        # Keys, limits, budgets and spend: one control plane for the process's lifetime
        # (a reload keeps it; database and Redis settings take effect on restart).
        self._control = ControlPlane(config, self.data_dir(config))
        state = build_state(config, master_key=self.master_key(config), control=self._control)
        self.app = create_app(state, access_log=self._access_log)
        self.app.set_lifecycle(self._startup, self._shutdown)
        return self.app

    async def _startup(self, app: GatewayApp) -> None:
        if self._before_serving is not None and not await asyncio.to_thread(self._before_serving):
            self.refused = True
            raise ServingRefused("serving refused (see the messages above)")
        if self._mock_port is not None:
            from lockgate.mock import MockServer

            mock = MockServer(host="127.0.0.1", port=self._mock_port)
            await mock.start()
            self._mock = mock
        if self._handle_sighup:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._reload_soon)
        self._access_log.event("startup", models=sorted(app.state.model_names))

    def _reload_soon(self) -> None:
        task = asyncio.ensure_future(self.reload())
        self._reloads.add(task)  # keep a reference until it is done
        task.add_done_callback(self._reloads.discard)

    async def reload(self) -> bool:
        """Re-read the config and swap the state; in-flight requests finish on the old one.
        A config that does not load leaves the running state untouched."""
        assert self.app is not None
        try:
            config = self.load_config()
            state = build_state(config, master_key=self.master_key(config), control=self._control)
        except Exception as exc:  # the old config keeps serving
            self._access_log.event("reload_failed", error=str(exc))
            return False
        self._retired.append(self.app.replace_state(state))
        self._access_log.event("reloaded", models=sorted(state.model_names))
        return True

    async def _shutdown(self, app: GatewayApp) -> None:
        for state in self._retired:
            await state.aclose()
        self._retired.clear()
        if self._mock is not None:
            from lockgate.mock import MockServer

            assert isinstance(self._mock, MockServer)
            await self._mock.stop()
        self._access_log.event("shutdown")
        self._access_log.flush()
