"""What every simulated agency shares: a route table over native requests, served in-process or as
its own aiohttp app.

A simulated agency speaks its *native* protocol (SOAP, mapi JSON, UPPERCASE JSON...) on
:class:`~adapters.base.NativeRequest` / :class:`~adapters.base.NativeResponse`. The hub calls
:meth:`SimulatedAgency.handle` directly when the agency runs in-process; :meth:`aiohttp_app` serves
the very same handler over HTTP, so an integrator (or a benchmark) can talk to it without the hub.
Everything an agency is given comes in its :class:`~ngsp_sim.sim.context.AgencyContext`.
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from types import MappingProxyType
from typing import Any, ClassVar, TypeVar

import orjson
from aiohttp import web
from pydantic import BaseModel, ValidationError

from adapters.base import NativeFormatError, NativeRequest, NativeResponse
from ngsp_sim.clock import Clock
from ngsp_sim.sim.context import AgencyContext
from ngsp_sim.sim.country import Country

__all__ = [
    "AgencyContext",
    "Handler",
    "Read",
    "SimulatedAgency",
    "describe",
    "json_body",
    "json_reply",
    "native_app",
    "query_params",
    "xml_reply",
]

Handler = Callable[[NativeRequest], Awaitable[NativeResponse]]
M = TypeVar("M", bound=BaseModel)
Read = Callable[[type[M], NativeRequest], M]
"""How a route reads its native request into its model; raises ``ValueError`` (pydantic's
``ValidationError`` is one) or :class:`~adapters.base.NativeFormatError` on what it cannot read."""


def describe(exc: Exception) -> str:
    """What is wrong with a request, in one line: each violation as ``location: message``."""
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'/'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors())
    return str(exc)


def json_body(model: type[M], request: NativeRequest) -> M:
    """The body, a JSON object, validated by ``model`` straight from the bytes."""
    return model.model_validate_json(request.body)


def query_params(model: type[M], request: NativeRequest) -> M:
    """The query parameters, each given once, validated by ``model`` (strings, as the URL carries them)."""
    params: dict[str, str] = {}
    for key, value in request.query:
        if key in params:
            raise ValueError(f"{key} is given more than once")
        params[key] = value
    return model.model_validate_strings(params)


_JSON = {"Content-Type": "application/json; charset=utf-8"}
_XML = {"Content-Type": "text/xml; charset=utf-8"}


def json_reply(data: Any, status: int = 200) -> NativeResponse:
    return NativeResponse(status, _JSON, orjson.dumps(data))


def xml_reply(body: bytes, status: int = 200) -> NativeResponse:
    return NativeResponse(status, _XML, body)


class _AgencyType(ABCMeta):
    """Also accepts the 0.1 constructor, ``Agency(country, clock, options=None, identity=None)``, that
    plugins and their tests were written against: it becomes an :class:`AgencyContext` without a hub."""

    def __call__(
        cls,
        context: AgencyContext | Country,
        clock: Clock | None = None,
        options: Mapping[str, Any] | None = None,
        identity: str | None = None,
    ) -> Any:
        if isinstance(context, AgencyContext):
            if (clock, options, identity) != (None, None, None):
                raise TypeError(f"{cls.__name__}(context): the context already holds clock, options and identity")
        elif clock is None:
            raise TypeError(f"{cls.__name__}(country, clock): give a clock, or an AgencyContext")
        else:
            context = AgencyContext(context, clock, MappingProxyType(dict(options or {})), identity)
        return super().__call__(context)


class SimulatedAgency(metaclass=_AgencyType):
    """Subclasses set ``kind`` (the name a topology's ``simulator:`` uses), build their state in
    ``__init__`` and return their routes from :meth:`routes`, which only names handlers."""

    kind: ClassVar[str]
    invalid: ClassVar[Mapping[str, Any]] = MappingProxyType({"error": "invalid request"})
    """The agency's native answer to a request it cannot read (``{"status": 0, "errorCode": 100}``,
    ``{"KetQua": 0}``...): every route built with :meth:`taking` refuses with it."""
    invalid_status: ClassVar[int] = 400
    """Most government systems refuse inside a 200 (``status: 0``); a REST-minded one uses a 4xx."""

    def __init__(self, context: AgencyContext) -> None:
        self.country = context.country
        self.clock = context.clock
        self.options = dict(context.options)
        self.identity = context.identity
        self.hub = context.hub
        self.publish = context.publish
        self.exchange = context.exchange
        self._routes = self.routes()

    @abstractmethod
    def routes(self) -> Mapping[tuple[str, str], Handler]:
        """(method, path) -> handler; the paths come from the wire contract in ``schemas/``."""

    def refuse_invalid(self, problem: str) -> NativeResponse:
        """The native refusal of a request that breaks the contract (``problem`` says how); SOAP
        agencies answer a Fault instead."""
        return json_reply(dict(self.invalid), self.invalid_status)

    def taking(
        self,
        model: type[M],
        handler: Callable[[M], Awaitable[NativeResponse]],
        invalid: Mapping[str, Any] | None = None,
        *,
        read: Read[M] = json_body,
    ) -> Handler:
        """A route handler: ``handler`` gets the native request read by ``read`` (the JSON body by
        default) and validated by ``model``, the same model the hub checks (so a direct caller meets the
        same rules); what breaks it gets ``invalid`` if given, else :meth:`refuse_invalid`."""

        async def handle(request: NativeRequest) -> NativeResponse:
            try:
                body = read(model, request)
            except (ValueError, NativeFormatError) as exc:
                if invalid is not None:
                    return json_reply(dict(invalid), self.invalid_status)
                return self.refuse_invalid(describe(exc))
            return await handler(body)

        return handle

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
