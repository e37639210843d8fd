"""The routing pipeline of one X-Road REST exchange, independent of the web framework.

    identify caller -> resolve service -> check access -> validate request
      -> adapter (to provider) -> transport -> adapter (from provider) -> validate response -> reply

Each step either passes or raises a :class:`~ngsp_sim.errors.HubError`; :meth:`Pipeline.handle` turns
the outcome into a reply and one :class:`~ngsp_sim.monitoring.MessageRecord`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import orjson
import structlog
from multidict import CIMultiDict, CIMultiDictProxy, MultiMapping

from adapters.base import (
    AdapterError,
    HubCall,
    HubReply,
    NativeFormatError,
    NativeRequest,
    NativeResponse,
    drive,
)
from ngsp_sim.clock import Clock
from ngsp_sim.errors import (
    HubError,
    InternalError,
    LoggingFailed,
    ServiceDisabled,
    ServiceFailed,
    ServiceType,
    UnknownMember,
    UnknownService,
    Violation,
)
from ngsp_sim.hub.caller import required_client
from ngsp_sim.hub.headers import forwarded_headers, merged_headers, request_hash, returned_headers
from ngsp_sim.hub.logmode import check_loggable, log_entry, mode_of
from ngsp_sim.hub.observe import admit_request, admit_response
from ngsp_sim.hub.paths import R1Target, parse_r1
from ngsp_sim.hub.requests import read_call
from ngsp_sim.hub.responses import Style, render_error
from ngsp_sim.hub.routes import ServiceRoute
from ngsp_sim.hub.upstream import TIER_HEADER, model_refusal, upstream_answer, upstream_request
from ngsp_sim.identifiers import ServiceId, SubsystemId
from ngsp_sim.monitoring import MessageRecord
from ngsp_sim.monitoring.feed import EventFeed
from ngsp_sim.monitoring.message_log import MessageLog
from ngsp_sim.monitoring.metrics import HubMetrics
from ngsp_sim.monitoring.otel import OtelTracing
from ngsp_sim.monitoring.outcome import UNREAD, message_event
from ngsp_sim.monitoring.tracing import TraceContext, trace_from
from ngsp_sim.randomness import uuid4_text
from ngsp_sim.registry import Registry, access_denied, require_parties, unknown_service
from ngsp_sim.security.isauth import Channel, check_connection
from ngsp_sim.security.throttle import Throttler
from ngsp_sim.store import MessageEntry
from ngsp_sim.transport import ActiveFault, ExchangeContext, check_client, corrupt_reply

__all__ = ["Incoming", "Outcome", "Pipeline", "RoutingTable"]

log = structlog.get_logger("ngsp_sim.exchange")

_JSON_TYPE = "application/json; charset=utf-8"
_REDACTED = b"[redacted: a protocol step carrying credentials]"


@dataclass(frozen=True, slots=True)
class Incoming:
    method: str
    raw_path: str
    query: MultiMapping[str]
    headers: CIMultiDictProxy[str]
    body: bytes
    rejected: HubError | None = None
    """Set when the request was refused before routing (body over the limit, bad credentials...):
    the exchange fails with it, and is logged like any other."""
    style: Style = "xroad"
    """``xroad`` (``/r1/...``, X-Road errors) or ``gateway`` (NGSP style, WSO2-style faults)."""
    client: SubsystemId | None = None
    """Set when the caller was identified by a bearer token rather than by ``X-Road-Client``."""
    target: R1Target | None = None
    """Set when the service was found by its gateway address rather than an ``/r1`` path."""
    raw_query: str | None = None
    """The query string as sent, for the request hash; ``None``: rebuilt from ``query``."""
    channel: Channel | None = None
    """The connection it came on (TLS, client certificate), judged against the client's connection type;
    ``None``: the hub's own in-process call, not judged."""

    @property
    def raw_target(self) -> str:
        """The request target as sent (path and query), as the request hash covers it."""
        query = self.raw_query if self.raw_query is not None else urlencode(list(self.query.items()))
        return self.raw_path + ("?" + query if query else "")


@dataclass(frozen=True, slots=True)
class RoutingTable:
    """The registry and the routes built from it; replaced as a whole when the registry changes."""

    registry: Registry
    routes: Mapping[ServiceId, ServiceRoute]
    trust: Sequence[ActiveFault] = ()
    """The trust-plane faults, checked against the client before the call is routed."""


def native_target(native: NativeRequest) -> str:
    """The native request's path with its query, as the provider receives it."""
    return native.path + ("?" + urlencode(native.query) if native.query else "")


@dataclass(slots=True)
class _Seen:
    """What one exchange saw, for the message log: who, and the bodies on both sides of the adapter."""

    client: SubsystemId | None = None
    service: ServiceId | None = None
    provider_request: bytes | None = None
    provider_response: bytes | None = None
    provider_headers: Mapping[str, str] | None = None
    violations: list[Violation] | None = None
    exchange: ExchangeContext = dataclasses.field(default_factory=ExchangeContext)
    """Passed with every transport call; the injected faults that hit the exchange are named on it."""
    answer: Any = UNREAD
    """What the client's JSON answer was written from, when the hub wrote it (the feed judges it unread)."""


@dataclass(slots=True)
class Outcome:
    status: int
    body: bytes
    headers: dict[str, str]
    record: MessageRecord


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


class Pipeline:
    """``on_miss`` (optional) is awaited when a client or service is unknown; if it returns True (the
    registry changed, e.g. another replica registered the service) the lookup is tried once more."""

    def __init__(
        self,
        table: RoutingTable,
        clock: Clock,
        *,
        message_log: MessageLog | None = None,
        on_miss: Callable[[], Awaitable[bool]] | None = None,
        throttler: Throttler | None = None,
        metrics: HubMetrics | None = None,
        otel: OtelTracing | None = None,
        feed: EventFeed | None = None,
    ) -> None:
        self.table = table
        self.clock = clock
        self.message_log = message_log
        self.on_miss = on_miss
        self.throttler = throttler
        self.metrics = metrics
        self.otel = otel
        self.feed = feed
        """The live feed: each exchange is announced on it as it ends."""

    async def handle(self, req: Incoming) -> Outcome:
        record = MessageRecord(_ms(self.clock.now()), req.method, req.raw_path, requestSize=len(req.body))
        generated = None if req.headers.get("X-Road-Id") else f"{self.table.registry.instance}-{uuid4_text()}"
        message_id = generated or req.headers["X-Road-Id"]  # generated as X-Road's client proxy does
        record.messageId = message_id
        record.messageUserId = req.headers.get("X-Road-UserId")
        record.messageIssue = req.headers.get("X-Road-Issue")
        span = None
        if self.otel is not None:
            context, span = self.otel.start(req.headers.get("traceparent"))
        else:
            context = trace_from(req.headers.get("traceparent"))
        record.traceId = context.trace_id
        request_id = uuid4_text()
        headers = {
            "X-Road-Id": message_id,
            "X-Road-Request-Id": request_id,
            "X-Road-Request-Hash": request_hash(
                req.method, req.raw_target, req.headers.items(), request_id, req.body, generated
            ),
        }
        seen = _Seen()
        injected = seen.exchange.injected
        with structlog.contextvars.bound_contextvars(xroad_id=message_id):
            try:
                status, body = await self._exchange(req, record, message_id, headers, seen, context)
                self._check_loggable(seen, [seen.provider_request, seen.provider_response, body])
                record.succeeded = 200 <= status < 300
            except HubError as err:
                seen.violations = getattr(err, "violations", None) or seen.violations  # or those observed
                status, body = self._error(err, req, record, headers)
            except Exception:
                log.exception("internal error while routing")
                internal = InternalError("the hub failed while routing this request; see its log")
                status, body = self._error(internal, req, record, headers)
            record.statusCode = status
            record.responseSize = len(body)
            record.responseOutTs = record.monitoringDataTs = _ms(self.clock.now())
            log.info(
                "exchange",
                client=headers.get("X-Road-Client"),
                service=headers.get("X-Road-Service"),
                status=status,
                fault=record.faultCode,
                ms=record.responseOutTs - record.requestInTs,
                violations=[v.as_dict() for v in seen.violations] if seen.violations else None,
                injected=injected or None,
            )
        if span is not None and self.otel is not None:
            self.otel.end(span, record)
        if self.metrics is not None:
            seconds = (record.responseOutTs - record.requestInTs) / 1000
            self.metrics.observe(
                headers.get("X-Road-Service"), headers.get("X-Road-Client"), status, seconds, record.faultCode
            )
        logged = mode_of(self.table.registry, seen.service) != "off"
        if self.message_log is not None and record.faultCode != LoggingFailed.type and logged:
            entry = self._entry(
                record, seen, req.body, body, headers.get("X-Road-Client"), headers.get("X-Road-Service")
            )
            entry.injected = ",".join(injected) or None
            await self.message_log.put(entry)  # backpressure: the answer waits while the log is behind
        if self.feed is not None:
            client, service = headers.get("X-Road-Client"), headers.get("X-Road-Service")
            self.feed.publish("message", message_event(record, client, service, body, injected, seen.answer))
        return Outcome(status, body, headers, record)

    def _entry(
        self,
        record: MessageRecord,
        seen: _Seen,
        request: bytes,
        response: bytes,
        client: str | None,
        service: str | None,
    ) -> MessageEntry:
        mode = mode_of(self.table.registry, seen.service)
        limit = self.message_log.config.body_limit if self.message_log else 0
        raw = [request, seen.provider_request, seen.provider_response, response]
        violations = [v.as_dict() for v in seen.violations] if seen.violations else None
        return log_entry(mode, limit, record, raw, client, service, violations)

    def _check_loggable(self, seen: _Seen, bodies: list[bytes | None]) -> None:
        if self.message_log is not None:
            check_loggable(self.message_log.config, mode_of(self.table.registry, seen.service), bodies)

    def _error(self, err: HubError, req: Incoming, record: MessageRecord, headers: dict[str, str]) -> tuple[int, bytes]:
        record.faultCode, record.faultString = err.type, err.message
        form = self.table.registry.error_codes
        status, body, rendered = render_error(err, req.style, req.headers.get("Accept", ""), form)
        headers.update(rendered)
        headers[TIER_HEADER] = self.table.registry.tier  # this hub decided it (an LGSP, or NGSP)
        return status, body

    async def _exchange(
        self,
        req: Incoming,
        record: MessageRecord,
        message_id: str,
        headers: dict[str, str],
        seen: _Seen,
        context: TraceContext,
    ) -> tuple[int, bytes]:
        if self.message_log is not None:
            self.message_log.admit()  # an exchange that cannot be logged is refused before any side effect
        if req.rejected is not None:
            raise req.rejected
        client = seen.client = req.client or required_client(req.headers)
        record.set_client(client)
        headers["X-Road-Client"] = str(client)
        check_connection(self.table.registry.subsystems.get(client), client, req.channel)  # the client proxy's TLS
        check_client(self.table.trust, client, self.clock.now(), seen.exchange)  # the client's security server
        target = req.target or parse_r1(req.raw_path)
        seen.service = target.service
        headers["X-Road-Service"] = str(target.service)
        record.set_service(target.service)
        try:
            route = self._resolve(client, target, req.method)
        except (UnknownMember, UnknownService):
            if self.on_miss is None or not await self.on_miss():
                raise
            route = self._resolve(client, target, req.method)
        record.serviceVersion = route.service.version
        self._check_loggable(seen, [req.body])  # refused before the provider, as X-Road refuses it
        if self.throttler is not None:
            self.throttler.check(self.table.registry.limits(client, route.service))
        if route.upstream is not None:  # a national service: this LGSP forwards it to its NGSP hub
            forwarded = forwarded_headers(req.headers, message_id, context)
            return await self._forward_upstream(route, route.upstream, req, target, forwarded, headers, record, seen)
        call, violations = read_call(
            route.operation,
            target,
            client,
            req.method,
            req.query,
            req.headers,
            req.body,
            message_id,
            route.adapter.speaks_xml,
            as_sent=route.service.mode == "observe",
        )
        seen.violations = admit_request(route.service.mode, route.operation, violations, headers) or None
        reply = await self._drive(route, call, forwarded_headers(req.headers, message_id, context), record, seen)
        # The provider's own headers reach the caller (PR-REST 4.3), but not on the hub's own error.
        passed_on = returned_headers(seen.provider_headers or {})
        if reply.raw is not None:  # a document passed on as it is; its adapter checked it
            headers.update({**passed_on, **reply.headers})
            return reply.status, reply.raw
        reply = corrupt_reply(reply, seen.exchange)  # an injected schema_violation, before validation
        if 200 <= reply.status < 300:
            observed = admit_response(route.service.mode, route.operation, reply.data, seen.violations or [], headers)
            seen.violations = observed or None
        headers.update({**passed_on, **reply.headers})
        if reply.data is None:
            return reply.status, b""
        headers["Content-Type"] = _JSON_TYPE
        seen.answer = reply.data
        return reply.status, orjson.dumps(reply.data)

    def _resolve(self, client: SubsystemId, target: R1Target, method: str) -> ServiceRoute:
        registry = self.table.registry
        require_parties(registry, client, target.subsystem)
        route = self.table.routes.get(target.service)
        if route is None:
            raise unknown_service(registry, target.subsystem, target.service_code)
        if method not in route.service.methods:
            raise ServiceType(
                f"{target.service} does not accept {method}",
                detail=f"it accepts: {', '.join(sorted(route.service.methods))}",
            )
        if not registry.is_allowed(client, target.service, method, target.rest):
            raise access_denied(registry, client, target.service, method, target.rest)
        if refusal := model_refusal(registry, client, str(target.service), route.upstream is not None):
            raise refusal
        if route.service.disabled:
            raise ServiceDisabled(f"{target.service} is disabled")
        return route

    async def _forward_upstream(
        self,
        route: ServiceRoute,
        caller: SubsystemId,
        req: Incoming,
        target: R1Target,
        forwarded: CIMultiDict[str],
        headers: dict[str, str],
        record: MessageRecord,
        seen: _Seen,
    ) -> tuple[int, bytes]:
        """An LGSP's national service: the call as the caller sent it, to the NGSP hub; its answer (an
        error NGSP decided keeps NGSP's code and names the tier) as this hub's."""
        native = upstream_request(caller, target, req.method, req.query, req.body, forwarded)
        answer = upstream_answer(await self._send(route, native, record, seen), req.style)
        if answer.fault is not None:
            record.faultCode, record.faultString = answer.fault
            record.decidingTier = answer.headers[TIER_HEADER]
        headers.update(answer.headers)
        return answer.status, answer.body

    async def _send(
        self, route: ServiceRoute, native: NativeRequest, record: MessageRecord, seen: _Seen
    ) -> NativeResponse:
        """One native request to the route's provider, timed and seen for the message log."""
        if record.requestOutTs is None:
            record.requestOutTs = _ms(self.clock.now())
        seen.provider_request = _REDACTED if native.secret else native.body
        seen.provider_response = None
        record.providerMethod, record.providerPath = native.method, native_target(native)
        response = await route.transport.send(native, route.service.timeout, seen.exchange)
        seen.provider_response = _REDACTED if native.secret else response.body
        seen.provider_headers = response.headers
        record.providerStatus = response.status
        record.responseInTs = _ms(self.clock.now())
        return response

    async def _drive(
        self, route: ServiceRoute, call: HubCall, forwarded: CIMultiDict[str], record: MessageRecord, seen: _Seen
    ) -> HubReply:
        async def send(native: NativeRequest) -> NativeResponse:
            native = dataclasses.replace(native, headers=merged_headers(forwarded, native.headers))
            return await self._send(route, native, record, seen)

        try:
            return await drive(route.adapter.exchange(call), send)
        except NativeFormatError as exc:
            raise ServiceFailed(f"the provider answered in a form its protocol does not allow: {exc}") from None
        except AdapterError as exc:
            raise ServiceFailed(str(exc)) from None
