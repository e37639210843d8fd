"""A hub inside another program: its own event loop on a background thread, a free loopback port.

This is what the pytest fixture ``ngsp_hub`` (:mod:`ngsp_sim.testing.pytest_plugin`), ``ngsp-sim scenario run``
without ``--hub`` and ``ngsp-sim conformance`` start. The caller gets a :class:`HubHandle`: the URL,
the admin token, the demo clients and consumer credentials, the message log and fault injection.
Everything goes over real HTTP on 127.0.0.1, exactly as a connector would talk to the platform; only
flushing the message log reaches into the process (so that a test sees an exchange the moment it
returns).

Works from synchronous code and from inside another event loop alike::

    with EmbeddedHub(HubConfig(port=0)) as hub:
        urllib.request.urlopen(hub.url + "/healthz")
"""

from __future__ import annotations

import asyncio
import secrets
import ssl
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Coroutine, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import orjson
from aiohttp import web

from adapters.base import Adapter
from ngsp_sim.app import create_app
from ngsp_sim.config import HubConfig, SecurityConfig
from ngsp_sim.errors import AdminApiError
from ngsp_sim.hub.runtime import HUB
from ngsp_sim.hub.server import start_serving
from ngsp_sim.plugins import installed
from ngsp_sim.security.tls import ensure_authority, server_context
from ngsp_sim.sim import SimulatedAgency
from ngsp_sim.testing.journal import Journal, LoggedExchange, is_service
from schemas.admin import body_bytes

__all__ = ["EmbeddedHub", "HubHandle", "LoggedExchange"]

T = TypeVar("T")


def _decode(body: Mapping[str, Any] | None) -> Any:
    raw = body_bytes(body)
    if raw is None:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return raw.decode("utf-8", "replace")


class HubHandle(Journal):
    """What a test holds: ``url``, ``admin_token``, ``clients``, ``credentials``, helpers over the
    admin API, and the verifications of :class:`~ngsp_sim.testing.journal.Journal` (``assert_called``,
    ``assert_not_called``, ``assert_no_violations``, ``calls``). Synchronous on purpose: connector
    tests are often synchronous code."""

    def __init__(self, hub: EmbeddedHub, url: str, admin_token: str) -> None:
        self._hub = hub
        self.url = url
        self.admin_token = admin_token
        self.ca_file = hub.ca_file
        """With ``config.tls``: the hub's CA certificate (PEM), for clients' ``verify=`` / ``cafile``."""
        self.plain_url = hub.plain_url
        """With ``config.tls`` and its ``http_port``: the plain-HTTP listener (``url`` is HTTPS)."""
        self._tls = ssl.create_default_context(cafile=str(self.ca_file)) if self.ca_file is not None else None
        registry = hub.runtime.pipeline.table.registry
        self.clients: list[str] = sorted(str(s) for s in registry.subsystems)
        self.services: list[str] = sorted(str(s) for s in registry.services)
        self.credentials: dict[str, str] = {
            s.consumer_key: s.consumer_secret
            for s in registry.subsystems.values()
            if s.consumer_key and s.consumer_secret
        }
        """Consumer key -> secret, for the gateway style (those the topology sets; DEMO-ONLY)."""

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        """A call to ``/api/v1{path}`` with the admin token; raises ``AdminApiError`` on 4xx/5xx."""
        data = orjson.dumps(body) if body is not None else None
        request = urllib.request.Request(  # noqa: S310  the URL is the embedded hub's own loopback address
            f"{self.url}/api/v1{path}",
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self.admin_token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30, context=self._tls) as answer:  # noqa: S310
                raw = answer.read()
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            raise AdminApiError.from_answer(exc.code, raw, str(exc.reason)) from None
        return orjson.loads(raw) if raw else None

    def flush(self) -> None:
        """Write the message log's pending entries now."""
        log = self._hub.runtime.message_log
        if log is not None:
            self._hub.run(log.flush())

    def messages(self, service: str | None = None, client: str | None = None, limit: int = 100) -> list[LoggedExchange]:
        """Exchanges of the message log, oldest first, with bodies; ``service`` and ``client`` filter
        (full identifiers, or just the service code such as ``DongBoHoSoMC``)."""
        self.flush()
        query = {"limit": str(limit)}
        if client:
            query["client"] = client
        if service and "/" in service:
            query["service"] = service
        page = self.admin("GET", "/messages?" + urllib.parse.urlencode(query))
        found = []
        for item in reversed(page["items"]):
            if service and not is_service(item["service"], service):
                continue
            detail = self.admin("GET", f"/messages/{item['id']}")
            record = detail["record"]
            found.append(
                LoggedExchange(
                    detail["id"],
                    detail["client"],
                    detail["service"],
                    record.get("statusCode"),
                    bool(record.get("succeeded")),
                    detail.get("violations") or [],
                    _decode(detail["bodies"].get("client_request")),
                    _decode(detail["bodies"].get("client_response")),
                    record,
                )
            )
        return found

    def inject_fault(self, fault_id: str, target: str, kind: str, **options: Any) -> None:
        """Inject a fault (the admin API's ``PUT /faults/{id}``): ``kind`` latency, error, timeout,
        reset, malformed, schema_violation or outage, in front of a service or a provider subsystem."""
        self.admin("PUT", f"/faults/{fault_id}", {"id": fault_id, "target": target, "kind": kind, **options})

    def clear_fault(self, fault_id: str) -> None:
        self.admin("DELETE", f"/faults/{fault_id}")


class EmbeddedHub:
    """Start with :meth:`start` (or ``with``); :meth:`stop` tears everything down and joins the thread.
    ``config.port`` 0 (the default here) takes a free port; ``topology_text`` replaces the topology."""

    def __init__(
        self,
        config: HubConfig | None = None,
        *,
        topology_text: str | None = None,
        adapters: Mapping[str, type[Adapter]] | None = None,
        simulators: Mapping[str, type[SimulatedAgency]] | None = None,
    ) -> None:
        config = config or HubConfig(port=0, security=SecurityConfig(kdf_cost=2**10))
        if config.admin_token is None:
            config = replace(config, admin_token=secrets.token_urlsafe(24))
        self.config = config
        self._topology_text = topology_text
        plugins = installed()
        self._adapters = adapters if adapters is not None else plugins.adapters
        self._simulators = simulators if simulators is not None else plugins.simulators
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.handle: HubHandle | None = None
        self.plain_url: str | None = None
        self.ca_file: Path | None = None

    @property
    def runtime(self) -> Any:
        if self._runner is None:
            raise RuntimeError("the hub is not started")
        return self._runner.app[HUB]

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        """Run ``coro`` on the hub's loop and wait for its result."""
        if self._loop is None:
            raise RuntimeError("the hub is not started")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    async def _start(self) -> str:
        app = create_app(
            self.config, topology_text=self._topology_text, adapters=self._adapters, simulators=self._simulators
        )
        tls, context, http_port = self.config.tls, None, None
        if tls is not None:
            authority = ensure_authority(tls.directory, self.config.host)
            context, self.ca_file, http_port = server_context(authority), authority.ca_certificate, tls.http_port
        listening = await start_serving(
            app, self.config.host, self.config.port, self.config.connections, context, http_port
        )
        self._runner = listening.runner
        self.plain_url = listening.plain_url
        return listening.url

    def start(self) -> HubHandle:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="ngsp-sim-hub", daemon=True)
        self._thread.start()
        try:
            url = self.run(self._start())
        except BaseException:
            self.stop()
            raise
        self.handle = HubHandle(self, url, self.config.admin_token or "")
        return self.handle

    def stop(self) -> None:
        if self._loop is None:
            return
        if self._runner is not None:
            self.run(self._runner.cleanup())
            self._runner = None
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(30)
        self._loop.close()
        self._loop = None

    def __enter__(self) -> HubHandle:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
