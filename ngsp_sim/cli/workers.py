"""``ngsp-sim up --workers N``: N hub processes on one port and one store, under one supervisor.

The supervisor (the process the user started) checks that the port is free, then forks the workers one
after another: each builds the whole hub (store, message-log writer, simulated agencies) and listens on
the port with ``SO_REUSEPORT``, and the kernel spreads new connections across them. The first worker
starts alone (it applies the store's migrations, may replace the stored topology and generates the
consumer secrets it shows), the others once it is ready; the supervisor prints one banner, the first
worker's, with a line naming every worker.

What the workers share is what replicas of one platform share (README, "Several replicas"): the store,
so the registry, the message log (one hash chain: each append holds the store's ``chain`` lock), the
credentials, the outbox of deliveries and the platform clock. What each keeps for itself: throttling
buckets and circuit breakers (so each enforces a tier on the connections it accepts), and the live
event feed of the dashboard. Every answer names its worker in ``X-NGSP-Worker`` (its process id); a
single hub (``--workers 1``, no supervisor) sends no such header.

SIGINT or SIGTERM to the supervisor stops every worker (each drains as ``up`` does: queued log records
are written) and the supervisor exits 0; a second one kills the workers still draining. A worker that
dies on its own stops the others and the supervisor exits 2 naming it: a hub that silently lost a
worker would make every figure measured on it a lie; restarting is the job of whatever started the
supervisor (systemd, docker's restart policy).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import secrets
import signal
import ssl
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from aiohttp import web

from ngsp_sim.cli.common import loop_factory
from ngsp_sim.config import ConnectionLimits
from ngsp_sim.errors import NgspSimError, WorkerFailed
from ngsp_sim.hub.server import Listening, bind, serve

__all__ = ["GENERATED_TOKEN", "WORKER_HEADER", "Built", "supervise"]

WORKER_HEADER = "X-NGSP-Worker"
GENERATED_TOKEN = "_admin_token_generated"  # noqa: S105 (a settings key, not a secret)
"""Set in the workers' settings when the supervisor generated the admin token (their banner shows it)."""


@dataclass(frozen=True, slots=True)
class Built:
    """A hub ready to serve: its application, its banner (given where it listens), its connection limits
    and, with ``up --tls``, its TLS context and the extra plain-HTTP port."""

    app: web.Application
    banner: Callable[[Listening], str]
    limits: ConnectionLimits
    tls: ssl.SSLContext | None = None
    http_port: int | None = None


Build = Callable[[Mapping[str, Any]], Built]


def supervise(settings: Mapping[str, Any], build: Build) -> int:
    """Run ``settings["workers"]`` hubs built by ``build`` on one port until SIGINT/SIGTERM."""
    count = settings["workers"]
    if count < 1:
        raise ValueError(f"--workers {count}: give 1 or more")
    if _in_memory(settings["store"]):
        raise ValueError(
            f"--workers {count} needs a store the workers share: an in-memory store is one per process. "
            "Use the default SQLite file (--data-dir), --store sqlite:///PATH or a PostgreSQL URL"
        )
    # The port is checked (and, for port 0, chosen) once, by a plain bind: a port in use is refused here,
    # before any worker opens the store. Workers' SO_REUSEPORT sockets keep later plain binds out.
    probe = bind(settings["host"], settings["port"])
    port = probe[0].getsockname()[1]
    for sock in probe:
        sock.close()
    token = settings["admin_token"]
    shared = {**settings, "port": port, "admin_token": token or secrets.token_urlsafe(24), GENERATED_TOKEN: not token}
    return _Supervisor(shared, build).run()


def _in_memory(url: str | None) -> bool:
    return url is not None and url.removeprefix("sqlite://") in (":memory:", "/:memory:")


class _Supervisor:
    def __init__(self, settings: Mapping[str, Any], build: Build) -> None:
        self.settings, self.build = settings, build
        self.workers: list[BaseProcess] = []
        self.stopping = False

    def run(self) -> int:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._signalled)
        try:
            banner = ""
            for index in range(self.settings["workers"]):
                if self.stopping:
                    return self._join()
                text = self._start(index)
                banner = banner or text
            pids = ", ".join(str(worker.pid) for worker in self.workers)
            print(f"ngsp-sim: {len(self.workers)} workers on one port and one store (pids {pids})", flush=True)
            print(banner, flush=True)
            while not self.stopping:
                wait([worker.sentinel for worker in self.workers])
                dead = next((w for w in self.workers if w.exitcode is not None), None)
                if dead is not None and not self.stopping:
                    raise WorkerFailed(f"worker pid {dead.pid} exited with {dead.exitcode}; the others were stopped")
            return self._join()
        except BaseException:
            self._stop()
            self._join()
            raise

    def _start(self, index: int) -> str:
        """Start one worker and wait until it listens; its banner (or why it could not start)."""
        context = multiprocessing.get_context("fork")  # the workers inherit the loaded plugins; no loop runs yet
        receive, send = context.Pipe(duplex=False)
        worker = context.Process(target=_work, args=(self.settings, self.build, send), name=f"ngsp-sim worker {index}")
        worker.start()
        send.close()
        self.workers.append(worker)
        try:
            kind, text = receive.recv()
        except EOFError:  # died before saying anything (or was stopped while starting)
            worker.join()
            if self.stopping:
                return ""
            exited = f"worker {index} (pid {worker.pid}) exited with {worker.exitcode} while starting"
            raise WorkerFailed(exited) from None
        finally:
            receive.close()
        if kind == "error":
            worker.join()
            raise WorkerFailed(f"worker {index} could not start: {text}")
        return str(text)

    def _signalled(self, *_: object) -> None:
        """The first SIGINT/SIGTERM stops the workers (each drains); a second one kills them."""
        self._stop(signal.SIGKILL if self.stopping else signal.SIGTERM)

    def _stop(self, how: signal.Signals = signal.SIGTERM) -> None:
        self.stopping = True
        for worker in self.workers:
            if worker.exitcode is None and worker.pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker.pid, how)

    def _join(self) -> int:
        for worker in self.workers:
            worker.join()
        return 0


def _work(settings: Mapping[str, Any], build: Build, ready: Connection) -> None:
    """One worker: build the hub, listen on the shared port, hand the banner to the supervisor, serve."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    try:
        built = build(settings)
        built.app.on_response_prepare.append(_name_worker)
        coroutine = serve(
            built.app,
            settings["host"],
            settings["port"],
            built.banner,
            built.limits,
            built.tls,
            built.http_port,
            reuse_port=True,
            announce=lambda text: ready.send(("ready", text)),
        )
        with contextlib.suppress(KeyboardInterrupt), asyncio.Runner(loop_factory=loop_factory()) as runner:
            runner.run(coroutine)
    except (NgspSimError, ValueError, OSError) as exc:
        with contextlib.suppress(OSError):
            ready.send(("error", str(exc)))
        sys.exit(2)


async def _name_worker(_: web.Request, response: web.StreamResponse) -> None:
    response.headers[WORKER_HEADER] = str(os.getpid())
