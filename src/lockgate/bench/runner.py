"""One benchmark run: start the upstreams, measure each target in turn, stop everything.

Order: the upstream (nginx, or the mock) and the streaming mock start first and live for the
whole run; then each target is started, checked with one request, measured (idle RSS,
warm-up, 1 connection, N connections, RSS after load, streams), and stopped before the next
one starts, so no two servers under test share the CPU. Everything started and the temp dir
are cleaned up on any exit, Ctrl-C included.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from lockgate._version import __version__
from lockgate.bench.bench_config import (
    FAST_STREAM_MODEL,
    HOLD_MODEL,
    PACED_STREAM_MODEL,
    BenchUpstreams,
    hold_model_name,
    paced_model_name,
    render_config,
)
from lockgate.bench.canned import UPSTREAM_KEY, chat_request
from lockgate.bench.checks import check_answer, metrics_note, raised_open_files
from lockgate.bench.event_loop import run_async
from lockgate.bench.gateway_store import GatewayStore, prepare_gateway_store, store_config_yaml
from lockgate.bench.instances import InstanceRun, measure_instances
from lockgate.bench.litellm_venv import LITELLM_VERSION, install_litellm
from lockgate.bench.load_driver import LoadDriver, choose_load_driver
from lockgate.bench.machine import cpu_busy_fraction, describe_machine
from lockgate.bench.options import BenchOptions
from lockgate.bench.processes import BenchProcessError, ManagedProcess, RssSample, free_port
from lockgate.bench.results import (
    DIRECT,
    GATEWAY,
    THIN,
    BenchResult,
    HoldResult,
    KeySetup,
    LoadResult,
    StreamResult,
    TargetResult,
)
from lockgate.bench.streaming import hold_streams, measure_streams
from lockgate.bench.targets import (
    Target,
    gateway_target,
    litellm_target,
    mock_process,
    mock_target,
    nginx_target,
    thin_target,
)
from lockgate.bench.upstream_nginx import find_nginx

__all__ = ["run_bench"]

Progress = Callable[[str], None]

# The paced stream: 20 word pieces at 200 tokens/s, so a gap of 5 ms between chunks.
_PACED_RATE = 200.0
_PACED_TOKENS = 20


def _stderr(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True, slots=True)
class _StreamCase:
    case: str
    url: str
    model: str


class _Run:
    def __init__(self, options: BenchOptions, stack: ExitStack, workdir: Path, log: Progress):
        self.options = options
        self.stack = stack
        self.workdir = workdir
        self.log = log
        self.notes: list[str] = []
        self.streams: list[StreamResult] = []
        self.holds: list[HoldResult] = []
        self.driver: LoadDriver = choose_load_driver(
            options.load_generator, workdir, options.wrk_threads
        )
        self.key_setup: KeySetup | None = None

    # -- servers ---------------------------------------------------------------------------

    def _serve(self, process: ManagedProcess, ready_url: str, timeout_s: float = 30.0) -> None:
        """Start a server that lives for the whole run."""
        self.log(f"starting {process.name}")
        process.start()
        self.stack.callback(process.stop)
        process.wait_ready(ready_url, timeout_s)

    def _upstreams(self) -> tuple[Target, BenchUpstreams, str]:
        nginx = None if self.options.upstream == "mock" else find_nginx()
        if nginx is None and self.options.upstream == "nginx":
            raise RuntimeError("nginx was asked for but is not installed (Debian package: nginx)")
        if nginx is not None:
            direct = nginx_target(nginx, self.workdir, free_port())
            mock_port = free_port()
            self._serve(
                mock_process(self.workdir, mock_port), f"http://127.0.0.1:{mock_port}/__mock/health"
            )
            fast_base = direct.url("/stream/v1")
            kind = f"nginx ({nginx}), 1 worker, canned response"
        else:
            direct = mock_target(self.workdir, free_port())
            mock_port = direct.port
            fast_base = direct.url("/v1")
            kind = "built-in mock (nginx not found: the upstream is Python, so slower)"
            self.notes.append(
                "nginx was not found: the upstream is the built-in mock, which may itself be "
                "the bottleneck; install nginx for meaningful ratios."
            )
        self._serve(direct.process, direct.ready_url)
        mock_base = f"http://127.0.0.1:{mock_port}/v1"
        upstreams = BenchUpstreams(
            chat_base=direct.url("/v1"),
            fast_stream_base=fast_base,
            fast_stream_model="gpt-4o-mini",
            mock_base=mock_base,
            paced_model=paced_model_name(_PACED_RATE, _PACED_TOKENS),
            hold_model=hold_model_name(self.options.hold_seconds),
        )
        return direct, upstreams, kind

    # -- measurements ----------------------------------------------------------------------

    def _load(self, target: Target, connections: int, duration_s: float) -> LoadResult:
        self.log(f"{target.name}: {connections} connection(s) for {duration_s:g}s")
        try:
            result = self.driver.run(
                target.chat_url,
                chat_request(target.model),
                target.headers,
                connections=connections,
                duration_s=duration_s,
            )
        finally:
            target.process.check_alive()  # a server that died says why, from its own log
        if result.errors:
            self.notes.append(
                f"{target.name}: {result.errors} failed requests at {connections} connection(s); "
                f"its output ends with: {target.process.log_tail(5)!r}"
            )
        return result

    def _stream_cases(self, target: Target, upstreams: BenchUpstreams) -> list[_StreamCase]:
        if target.name == THIN:
            return []  # the thin pass-through reads whole bodies: it does not stream
        if target.name == DIRECT:
            return [
                _StreamCase(
                    "unpaced",
                    upstreams.fast_stream_base + "/chat/completions",
                    upstreams.fast_stream_model,
                ),
                _StreamCase(
                    "paced", upstreams.mock_base + "/chat/completions", upstreams.paced_model
                ),
            ]
        return [
            _StreamCase("unpaced", target.chat_url, FAST_STREAM_MODEL),
            _StreamCase("paced", target.chat_url, PACED_STREAM_MODEL),
        ]

    def _measure_streams(self, target: Target, upstreams: BenchUpstreams) -> None:
        headers = dict(target.headers)
        if target.name == DIRECT:
            headers["Authorization"] = f"Bearer {UPSTREAM_KEY}"
        for case in self._stream_cases(target, upstreams):
            self.log(f"{target.name}: {self.options.samples} {case.case} streams")
            body = chat_request(case.model, stream=True)
            result = run_async(
                measure_streams(
                    target.name, case.case, case.url, body, headers, count=self.options.samples
                )
            )
            self.streams.append(result)
            if result.errors:
                self.notes.append(
                    f"{target.name}, {case.case} streams: {result.errors} of {result.streams} "
                    f"failed; the first: {result.first_error}"
                )

    def _hold_streams(self, target: Target, round_number: int) -> HoldResult:
        count, hold_s = self.options.streams, self.options.hold_seconds
        self.log(
            f"{target.name}: round {round_number}, {count} concurrent streams of about {hold_s:g}s"
        )

        async def probe() -> RssSample:
            return await asyncio.to_thread(target.process.rss)

        body = chat_request(HOLD_MODEL, stream=True)
        return run_async(
            hold_streams(
                target.chat_url,
                body,
                target.headers,
                count=count,
                hold_s=hold_s,
                probe=probe,
                settle_s=1.0 if self.options.quick else 3.0,
                later_s=2.0 if self.options.quick else 20.0,
            )
        )

    def _hold_rounds(self, target: Target) -> None:
        """Two rounds: the first shows what is returned, the second whether anything leaks."""
        for number in (1, 2):
            hold = self._hold_streams(target, number)
            self.holds.append(hold)
            if hold.errors:
                self.notes.append(
                    f"{target.name}, round {number} of {hold.streams} concurrent streams: "
                    f"{hold.errors} failed; the first: {hold.first_error}"
                )

    def _measure(self, target: Target, upstreams: BenchUpstreams, *, owned: bool) -> TargetResult:
        options = self.options
        one = many = None
        idle = after = None
        startup: float | None = None
        try:
            if owned:
                self.log(f"starting {target.process.name}")
                target.process.start()
            try:
                ready_s = target.process.wait_ready(target.ready_url, target.ready_timeout_s)
                startup = ready_s if owned else None
                if target.name == GATEWAY:
                    self.log(f"{target.name}: ready {ready_s:.2f}s after its start")
                check_answer(target)
                idle = target.process.rss()
                self._load(target, options.connections, options.warmup_s)  # warm-up, not kept
                one = self._load(target, 1, options.phase_s)
                many = self._load(target, options.connections, options.phase_s)
                after = target.process.rss()
                if target.name == GATEWAY:
                    self.notes.append(metrics_note(target))
                self._measure_streams(target, upstreams)
                if target.name == GATEWAY and options.streams > 0:
                    self._hold_rounds(target)
            finally:
                if owned:
                    target.process.stop()
        except (BenchProcessError, RuntimeError, OSError) as exc:
            self.log(f"{target.name} failed: {exc}")
            self.notes.append(f"{target.name}: {exc}")
            error = str(exc).splitlines()[0][:200]
            return TargetResult(
                target.name, target.description, one, many, idle, after, error, startup
            )
        return TargetResult(target.name, target.description, one, many, idle, after, None, startup)

    # -- the run -----------------------------------------------------------------------------

    def _litellm(self, config: Path) -> Target | None:
        self.log(f"installing litellm[proxy]=={LITELLM_VERSION} into a throwaway venv")
        installed = install_litellm(self.workdir)
        if installed.executable is None:
            self.log(f"litellm left out: {installed.error}")
            self.notes.append(f"--vs litellm: LiteLLM left out of this run: {installed.error}")
            return None
        return litellm_target(
            installed.executable,
            LITELLM_VERSION,
            self.workdir,
            free_port(),
            config,
            self.options.workers,
        )

    def _check_quiet_machine(self) -> str:
        busy = cpu_busy_fraction(0.5)
        if busy is None:
            return "unknown"
        if busy > 0.10:
            self.notes.append(
                f"the machine was {busy:.0%} busy with other work just before the run: "
                "every figure is lower and noisier than on a quiet machine."
            )
        return f"{busy:.0%} of all cores busy just before the run"

    def execute(self) -> BenchResult:
        options = self.options
        quiet = self._check_quiet_machine()
        if options.streams > 0:
            self.stack.enter_context(raised_open_files(4 * options.streams + 1024))
        direct, upstreams, upstream_kind = self._upstreams()
        config = self.workdir / "bench-config.yaml"
        config.write_text(render_config(upstreams))
        # Each port is picked just before its server starts: a port picked early could be
        # taken meanwhile by one of the many client connections of a load phase.
        results = [
            self._measure(direct, upstreams, owned=False),
            self._measure(
                # As many thin processes as gateway workers: the ratio compares like for like.
                thin_target(self.workdir, free_port(), direct.chat_url, processes=options.workers),
                upstreams,
                owned=True,
            ),
        ]
        results.extend(self._gateways(upstreams))
        if options.vs_litellm:
            litellm = self._litellm(config)  # installed after the others ran: no CPU shared
            if litellm is not None:
                results.append(self._measure(litellm, upstreams, owned=True))
        settings = {
            **self._store_settings(),
            "other load": quiet,
            "lockgate": __version__,
            "command": options.command,
            "upstream": upstream_kind,
            "load generator": self.driver.description,
            "measured phases": f"{options.phase_s:g} s each (warm-up {options.warmup_s:g} s)",
            "connections": str(options.connections),
            "gateway workers": str(options.workers),
            "streams per case": str(options.samples),
        }
        if options.quick:
            self.notes.append("--quick: one-second phases; a smoke run, not a measurement.")
        return BenchResult(
            machine=describe_machine(),
            settings=settings,
            targets=results,
            streams=self.streams,
            holds=self.holds,
            notes=self.notes,
            key_setup=self.key_setup,
        )

    # -- the gateway's store, and several instances ------------------------------------------

    def _store(self) -> GatewayStore | None:
        options = self.options
        if not options.custom_store:
            return None
        store = prepare_gateway_store(
            keys=options.keys,
            database_url=options.database_url,
            redis_url=options.redis_url,
            data_dir=self.workdir / "lockgate-data",
            stack=self.stack,
            log=self.log,
        )
        seeded = store.seeded
        self.key_setup = KeySetup(
            store=store.kind,
            limits_backend="Redis" if store.redis_url else "in-memory",
            instances=options.instances,
            keys=seeded.count if seeded else 0,
            rpm_limit=seeded.limits.rpm_limit if seeded else None,
            max_budget=seeded.limits.max_budget if seeded else None,
            seed_s=seeded.seconds if seeded else None,
        )
        return store

    def _store_settings(self) -> dict[str, str]:
        setup = self.key_setup
        if setup is None:
            return {}
        settings = {
            "gateway store": f"{setup.store}, limits and invalidation {setup.limits_backend}",
            "gateway instances": str(setup.instances),
        }
        if setup.keys:
            settings["virtual keys"] = (
                f"{setup.keys:,} in the store (seeded in {setup.seed_s or 0:.1f} s); requests "
                f"use one with rpm_limit {setup.rpm_limit:,}/min and max_budget "
                f"{setup.max_budget:,.0f} (rpm + budget reserved on every request)"
            )
        return settings

    def _gateways(self, upstreams: BenchUpstreams) -> list[TargetResult]:
        """The gateway (or its instances), on the store prepared for them."""
        options = self.options
        store = self._store()
        general, sections = store_config_yaml(store) if store is not None else ("", "")
        config = self.workdir / "gateway-config.yaml"
        config.write_text(render_config(upstreams, general_extra=general, sections=sections))
        seeded = store.seeded if store is not None else None
        key = seeded.calling_key if seeded is not None else None
        auth = (
            f"virtual-key auth ({seeded.count:,} keys, rpm + budget limits)"
            if seeded is not None
            else "master-key auth"
        )
        if options.instances == 1:
            target = gateway_target(
                self.workdir,
                free_port(),
                config,
                options.workers,
                options.profile_path,
                calling_key=key,
                auth=auth,
            )
            return [self._measure(target, upstreams, owned=True)]
        targets = [
            gateway_target(
                self.workdir,
                free_port(),
                config,
                options.workers,
                name=f"{GATEWAY}-{number}",
                data_dir=self.workdir / f"lockgate-data-{number}",
                calling_key=key,
                auth=auth + ", shared PostgreSQL + Redis",
            )
            for number in range(1, options.instances + 1)
        ]
        drivers = [
            choose_load_driver(
                options.load_generator, self._subdir(f"load-{n}"), options.wrk_threads
            )
            for n in range(1, options.instances + 1)
        ]
        run = InstanceRun(options.connections, options.warmup_s, options.phase_s)
        return measure_instances(targets, drivers, run, self.log, self.notes)

    def _subdir(self, name: str) -> Path:
        path = self.workdir / name
        path.mkdir(exist_ok=True)
        return path


def run_bench(options: BenchOptions, progress: Progress | None = None) -> BenchResult:
    """Run the whole benchmark; progress lines go to `progress` (stderr by default)."""
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lockgate-bench-")))
        return _Run(options, stack, workdir, progress or _stderr).execute()
