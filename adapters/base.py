"""The adapter contract: pure conversion between the hub's JSON form and a provider's native form.

An adapter does no I/O. Its :meth:`Adapter.exchange` is a generator: it *yields* each
:class:`NativeRequest` it needs sent and receives the :class:`NativeResponse` back, then *returns* a
:class:`HubReply`. The hub drives the generator with whatever transport the service uses (in-process
for a simulated agency, HTTP for a URL). That lets a session-based protocol (log in, call, log in again
when the session expired) live entirely inside its adapter and still be tested without a network::

    def exchange(self, call):
        native = yield NativeRequest("POST", "/svc", body=encode(call.payload))
        return HubReply(native.status, decode(native.body))

Problems with what the provider sent are raised as :class:`NativeFormatError`; the hub translates
them into its own error tree.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Generator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel

from schemas.xroad import ProviderError

__all__ = [
    "Adapter",
    "AdapterError",
    "Exchange",
    "HubCall",
    "HubReply",
    "NativeFormatError",
    "NativeRequest",
    "NativeResponse",
    "Operation",
    "ProviderRefused",
    "drive",
]

_EMPTY: Mapping[str, str] = MappingProxyType({})
M = TypeVar("M", bound=BaseModel)


class AdapterError(Exception):
    """Base of the errors an adapter raises; the hub maps each to a ``ServiceFailed`` error."""


class NativeFormatError(AdapterError):
    """The provider answered something its protocol does not allow (bad XML, not JSON, no body...)."""


class ProviderRefused(AdapterError):
    """The provider refused the adapter's own protocol steps (e.g. a login with wrong credentials)."""


@dataclass(frozen=True, slots=True)
class NativeRequest:
    """A request in the provider's own protocol. ``path`` is relative to the provider's base URL."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    body: bytes = b""
    secret: bool = False
    """True for protocol steps that carry credentials (a login): the hub never logs their bodies."""
    read: tuple[bytes, BaseModel] | None = field(default=None, compare=False, repr=False)
    """``(body, the hub's validated reading of it)`` for a pass-through document: a provider answered
    in-process takes it (:meth:`validated`) instead of parsing the same bytes again. Never sent on a wire."""

    def validated(self, model: type[M]) -> M | None:
        """The hub's reading of ``body`` as ``model``, if it made one of this very body; else ``None``
        (read it yourself)."""
        if self.read is not None and self.read[0] is self.body and type(self.read[1]) is model:
            return self.read[1]
        return None


@dataclass(frozen=True, slots=True)
class NativeResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes
    read: tuple[bytes, Any] | None = field(default=None, compare=False, repr=False)
    """``(body, the provider's own reading of it, in its adapter's terms)`` from a provider answered
    in-process that wrote ``body`` itself: the adapter takes it (:meth:`given`) instead of parsing the same
    bytes. Never sent on a wire."""

    def given(self) -> Any:
        """The provider's reading of ``body``, if it made one of this very body; else ``None``."""
        return self.read[1] if self.read is not None and self.read[0] is self.body else None


@dataclass(frozen=True, slots=True)
class HubCall:
    """What the hub hands an adapter: the validated request and who is calling."""

    operation: str
    method: str
    path: str
    payload: BaseModel | None
    query: BaseModel | None
    client_member_code: str
    message_id: str
    headers: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    body: bytes = b""
    """The client's body exactly as sent: pass-through protocols (edXML, whose signature covers the
    bytes) forward it instead of re-rendering the payload."""
    checked: bool = True
    """``payload`` and ``query`` passed their models with no violation. ``False`` for a request that
    observe mode passes on as sent: a provider must read such a payload itself (no ``NativeRequest.read``)."""

    def reading(self, body: bytes) -> tuple[bytes, BaseModel] | None:
        """``NativeRequest.read`` for a native ``body`` written from (or passed on as) the checked payload."""
        return (body, self.payload) if self.checked and self.payload is not None else None


@dataclass(frozen=True, slots=True)
class HubReply:
    """The provider's answer in the hub's JSON form. Only a 2xx ``data`` is checked against the
    operation's response model; other statuses are the provider's own errors, passed on as they are."""

    status: int
    data: Any
    headers: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    raw: bytes | None = None
    """A document answered as it is (e.g. an edXML file), with its ``Content-Type`` in ``headers``;
    the adapter has checked it, and ``data`` is not used."""


@dataclass(frozen=True, slots=True)
class Operation:
    """One service code an adapter can carry, with the models that define its payloads."""

    code: str
    methods: frozenset[str]
    response_model: type[BaseModel]
    request_model: type[BaseModel] | None = None
    query_model: type[BaseModel] | None = None
    summary: str = ""
    response_xml: bool = False
    """True when a 2xx answer is an XML document passed on as it is (``HubReply.raw``)."""
    request_xml: tuple[str, str] | None = None
    """``(namespace, root element)`` when the request body is XML rather than JSON: the hub reads the
    root's content into ``request_model`` and reports violations at XPath-like locations."""
    path_model: type[BaseModel] | None = None
    """Validates the path below the service (``HubCall.path``, a string) when the operation has one of
    its own, as an OpenAPI contract's ``/dossiers/{id}``; violations are reported at location ``path``."""
    body_optional: bool = False
    """True when the request body may be left out (an OpenAPI ``requestBody`` with ``required: false``):
    an empty body is then no body, and ``request_model`` checks one only when it is sent."""
    header_model: type[BaseModel] | None = None
    """Validates the request headers (a mapping, names in any case) when the operation declares some of
    its own (an OpenAPI contract's ``in: header`` parameters); violations at location ``header``."""


Exchange = Generator[NativeRequest, NativeResponse, HubReply]


class Adapter(ABC):
    """One native protocol. Subclasses declare ``name`` and ``operations`` and implement
    :meth:`exchange`. ``options`` come from the topology (``adapter_options``) and hold what the
    protocol needs, such as login credentials; an adapter may keep state between calls (a session)."""

    name: ClassVar[str]
    operations: ClassVar[Mapping[str, Operation]]
    error_model: ClassVar[type[BaseModel]] = ProviderError
    """The shape of the provider's own errors, which the hub passes through (published beside the hub's
    ``ErrorBody`` so that generated clients read both)."""
    success_flag: ClassVar[tuple[str, object] | None] = None
    """``(field, value)`` for protocols that refuse inside a 200: the answer succeeded only when its
    ``field`` holds ``value`` (``("KetQua", 1)``, ``("error_code", 0)``...)."""
    speaks_xml: ClassVar[bool] = False
    """True when the provider's native protocol is XML: every string of a payload must then be one XML
    can carry (the hub refuses a control character such as U+0010 as a violation, naming the field)."""

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        self.options: Mapping[str, Any] = MappingProxyType(dict(options or {}))

    @abstractmethod
    def exchange(self, call: HubCall) -> Exchange:
        """Yield native requests, receive native responses, return the hub's reply."""

    def refuses(self, operation: str, reply: HubReply) -> bool:
        """Whether ``reply`` refuses the request, as an invalid request must be refused (provider
        conformance): a 4xx status, or a 200 whose :attr:`success_flag` is not the success value."""
        if 400 <= reply.status < 500:
            return True
        if self.success_flag is None or not isinstance(reply.data, dict):
            return False
        name, value = self.success_flag
        return bool(reply.data.get(name) != value)

    @classmethod
    def operations_dict(cls, *ops: Operation) -> Mapping[str, Operation]:
        return MappingProxyType({op.code: op for op in ops})


async def drive(steps: Exchange, send: Callable[[NativeRequest], Awaitable[NativeResponse]]) -> HubReply:
    """Run an adapter's exchange to the end, sending each native request with ``send``.

    The hub drives exchanges with its transports; tests drive them with a simulated agency's handler.
    """
    try:
        native = next(steps)
        while True:
            native = steps.send(await send(native))
    except StopIteration as done:
        reply: HubReply = done.value
        return reply
    finally:
        steps.close()
