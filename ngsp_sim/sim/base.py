"""What every simulated agency shares: a route table over native requests, served in-process or as
its own aiohttp app.

A simulated agency speaks its *native* protocol (SOAP, mapi JSON, UPPERCASE JSON...) on
:class:`~adapters.base.NativeRequest` / :class:`~adapters.base.NativeResponse`. The hub calls
:meth:`SimulatedAgency.handle` directly when the agency runs in-process; :meth:`aiohttp_app` serves
the very same handler over HTTP, so an integrator (or a benchmark) can talk to it without the hub.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, ClassVar

import orjson
from aiohttp import web

from adapters.base import NativeRequest, NativeResponse
from ngsp_sim.clock import Clock
from ngsp_sim.sim.country import Country

__all__ = ["Handler", "HubCaller", "Publisher", "SimulatedAgency", "json_reply", "native_app", "xml_reply"]

Handler = Callable[[NativeRequest], Awaitable[NativeResponse]]
HubCaller = Callable[[str, str, Any], Awaitable[tuple[int, Any]]]
"""``(client subsystem, service id, body) -> (status, answer)``: a POST through the hub. A dict body
goes as JSON; ``bytes`` go as XML (edXML). The answer is parsed JSON, or bytes when not JSON."""
Publisher = Callable[[str, str, dict[str, Any]], Awaitable[None]]
"""``(topic, event type, data)``: an event for the topic's subscribers (see :mod:`ngsp_sim.exchange`)."""

_JSON = {"Content-Type": "application/json; charset=utf-8"}
_XML = {"Content-Type": "text/xml; charset=utf-8"}


def json_reply(data: Any, status: int = 200) -> NativeResponse:
    return NativeResponse(status, _JSON, orjson.dumps(data))


def xml_reply(body: bytes, status: int = 200) -> NativeResponse:
    return NativeResponse(status, _XML, body)


class SimulatedAgency(ABC):
    """Subclasses set ``kind`` (the name a topology's ``simulator:`` uses) and return their routes."""

    kind: ClassVar[str]

    def __init__(
        self,
        country: Country,
        clock: Clock,
        options: Mapping[str, Any] | None = None,
        identity: str | None = None,
    ) -> None:
        self.country = country
        self.clock = clock
        self.options = dict(options or {})
        self.identity = identity
        """The subsystem this agency serves (``VN/GOV/.../MOTCUA``), when it has to say who it is."""
        self.hub: HubCaller | None = None
        """Set by the hub for agencies that call other agencies through it."""
        self.publish: Publisher | None = None
        """Set by the hub: announce an event to subscribers (e.g. a dossier's status change)."""
        self.exchange: Any = None
        """Set by the hub for the exchange axis itself (:class:`ngsp_sim.exchange.Exchange`)."""
        self._routes = self.routes()

    @abstractmethod
    def routes(self) -> Mapping[tuple[str, str], Handler]:
        """(method, path) -> handler."""

    async def handle(self, request: NativeRequest) -> NativeResponse:
        handler = self._routes.get((request.method, request.path))
        if handler is not None:
            return await handler(request)
        if any(path == request.path for _, path in self._routes):
            return json_reply({"error": f"method {request.method} not allowed here"}, 405)
        return json_reply({"error": f"no such path {request.path}"}, 404)

    def native_paths(self) -> list[tuple[str, str]]:
        """(method, path) of every route, sorted: what ``agency run`` prints and answers at ``GET /``."""
        return sorted(self._routes, key=lambda route: (route[1], route[0]))

    def aiohttp_app(self, max_body_size: int = 10 * 1024 * 1024) -> web.Application:
        return native_app(self.handle, max_body_size, index=self.native_paths())


def native_app(
    handle: Handler, max_body_size: int = 10 * 1024 * 1024, index: list[tuple[str, str]] | None = None
) -> web.Application:
    """Serve a native handler over HTTP: every method and path goes to ``handle``; with ``index``,
    ``GET /`` (when ``handle`` has no route there) lists those (method, path) routes as JSON, so a
    person who opens the address sees what to call."""
    routes = [{"method": method, "path": path} for method, path in index or ()]

    async def serve(request: web.Request) -> web.Response:
        native = NativeRequest(
            request.method,
            request.path,
            tuple(request.query.items()),
            dict(request.headers),
            await request.read(),
        )
        reply = await handle(native)
        if index is not None and reply.status == 404 and (request.method, request.path) == ("GET", "/"):
            reply = json_reply({"paths": routes})
        return web.Response(status=reply.status, body=reply.body, headers=dict(reply.headers))

    app = web.Application(client_max_size=max_body_size)
    app.router.add_route("*", "/{tail:.*}", serve)
    return app
