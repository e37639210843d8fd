"""X-Road's operational-monitoring protocol (PR-OPMON): ``getSecurityServerOperationalData`` and
``getSecurityServerHealthData``, answered from the message log, so that X-Road monitoring clients
can read the hub.

The hub stands for the security server. A monitoring client POSTs the protocol's SOAP request to
``/`` (the security server's client-side endpoint): the ``client`` header names the asking subsystem,
the ``service`` header the server owner's ``getSecurityServer…`` service; the hub answers for itself
whatever owner member is named. As a security server answers a client that is not its owner, the
records are those of exchanges the asking subsystem took part in (as client or as provider).

Operational data: a ``multipart/related`` answer, the SOAP part with ``recordsCount`` and a ``cid:``
reference to a gzipped JSON part ``{"records": [...]}`` with X-Road's field names; the window is on
``monitoringDataTs`` (seconds), oldest first, at most :data:`MAX_RECORDS` per answer
(``nextRecordsFrom`` then says where to continue). ``searchCriteria/client`` names the records' service
provider. The log is flushed before the query, so X-Road's offset for uncommitted records is 0: records
are available before the current second; a ``recordsTo`` not over yet is shifted, as X-Road shifts it.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
from collections.abc import Iterable
from typing import Any
from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring

import orjson
from aiohttp import MultipartWriter, web
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from ngsp_sim.errors import HubError, InvalidClientIdentifier, InvalidRequest
from ngsp_sim.hub.caller import token_client
from ngsp_sim.hub.runtime import HUB, HubRuntime
from ngsp_sim.identifiers import ServiceId, SubsystemId
from ngsp_sim.registry import require_client
from ngsp_sim.store import MessageQuery

__all__ = ["MAX_RECORDS", "OUTPUT_FIELDS", "STATISTICS_PERIOD", "opmonitoring_handler"]

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
XROAD_NS = "http://x-road.eu/xsd/xroad.xsd"
ID_NS = "http://x-road.eu/xsd/identifiers"
OM_NS = "http://x-road.eu/xsd/op-monitoring.xsd"
for _prefix, _uri in (("SOAP-ENV", SOAP_NS), ("xroad", XROAD_NS), ("id", ID_NS), ("om", OM_NS)):
    register_namespace(_prefix, _uri)

MAX_RECORDS = 10_000
"""X-Road's default ``max-records-in-payload``."""
STATISTICS_PERIOD = 600
"""X-Road's default ``health-statistics-period-seconds``."""
PAYLOAD_CID = "operational-monitoring-data.json.gz"
_LONGEST_EXCHANGE_MS = 3_600_000
"""The log is indexed by ``requestInTs``; the window is on ``monitoringDataTs`` (the exchange's end)."""
_PAGE = 500

OUTPUT_FIELDS = (
    "monitoringDataTs",
    "securityServerInternalIp",
    "securityServerType",
    "requestInTs",
    "requestOutTs",
    "responseInTs",
    "responseOutTs",
    "clientXRoadInstance",
    "clientMemberClass",
    "clientMemberCode",
    "clientSubsystemCode",
    "serviceXRoadInstance",
    "serviceMemberClass",
    "serviceMemberCode",
    "serviceSubsystemCode",
    "serviceCode",
    "restMethod",
    "restPath",
    "serviceVersion",
    "representedPartyClass",
    "representedPartyCode",
    "messageId",
    "messageUserId",
    "messageIssue",
    "messageProtocolVersion",
    "clientSecurityServerAddress",
    "serviceSecurityServerAddress",
    "requestSize",
    "requestMimeSize",
    "requestAttachmentCount",
    "responseSize",
    "responseMimeSize",
    "responseAttachmentCount",
    "succeeded",
    "serviceType",
    "faultCode",
    "faultString",
    "statusCode",
    "xRoadVersion",
)
"""PR-OPMON's output fields; a record carries those the hub knows (others are left out, as X-Road
leaves out what it did not measure)."""

_ID_PARTS = ("xRoadInstance", "memberClass", "memberCode", "subsystemCode")


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _text(parent: Any, ns: str, name: str) -> str | None:
    found = parent.find(_q(ns, name))
    return None if found is None or found.text is None else found.text.strip()


def _client_id(element: Any, what: str) -> SubsystemId:
    parts = [_text(element, ID_NS, p) or "" for p in _ID_PARTS]
    if not all(parts[:3]):
        raise InvalidRequest(f"the {what} needs xRoadInstance, memberClass and memberCode")
    return SubsystemId(*parts)


def _long(parent: Any, name: str) -> int:
    value = _text(parent, OM_NS, name)
    try:
        return int(value or "")
    except ValueError:
        raise InvalidRequest(f"searchCriteria/{name} must be a Unix timestamp in seconds") from None


class _Request:
    """The parts of a PR-OPMON request the hub reads."""

    def __init__(self, body: bytes) -> None:
        try:
            self.envelope = SafeET.fromstring(body)
        except (SafeET.ParseError, DefusedXmlException) as exc:
            raise InvalidRequest(f"the request is not well-formed XML: {exc}") from None
        header = self.envelope.find(_q(SOAP_NS, "Header"))
        soap_body = self.envelope.find(_q(SOAP_NS, "Body"))
        if self.envelope.tag != _q(SOAP_NS, "Envelope") or header is None or soap_body is None:
            raise InvalidRequest("expected a SOAP 1.1 Envelope with a Header and a Body")
        self.header = header
        client, service = header.find(_q(XROAD_NS, "client")), header.find(_q(XROAD_NS, "service"))
        if client is None or service is None:
            raise InvalidRequest("the X-Road headers client and service are mandatory")
        self.client = _client_id(client, "client header")
        self.service_code = _text(service, ID_NS, "serviceCode")
        self.operation = next(iter(soap_body), None)
        if self.operation is None or self.operation.tag != _q(OM_NS, str(self.service_code)):
            raise InvalidRequest(f"the body must hold om:{self.service_code}, the service's operation")


def _soap(request: _Request, raw: bytes, answer: Element) -> bytes:
    """The response envelope: the request's X-Road headers, its hash, and ``answer`` as the body."""
    envelope = Element(_q(SOAP_NS, "Envelope"))
    header = SubElement(envelope, _q(SOAP_NS, "Header"))
    for child in request.header:
        if child.tag != _q(XROAD_NS, "protocolVersion"):
            header.append(child)
    digest = base64.b64encode(hashlib.sha512(raw).digest()).decode()
    algorithm = {"algorithmId": "http://www.w3.org/2001/04/xmlenc#sha512"}
    SubElement(header, _q(XROAD_NS, "requestHash"), algorithm).text = digest
    SubElement(header, _q(XROAD_NS, "protocolVersion")).text = _text(request.header, XROAD_NS, "protocolVersion")
    SubElement(envelope, _q(SOAP_NS, "Body")).append(answer)
    document: bytes = tostring(envelope, encoding="utf-8", xml_declaration=True)
    return document


def _fault(err: HubError) -> web.Response:
    envelope = Element(_q(SOAP_NS, "Envelope"))
    fault = SubElement(SubElement(envelope, _q(SOAP_NS, "Body")), _q(SOAP_NS, "Fault"))
    SubElement(fault, "faultcode").text = err.code()
    SubElement(fault, "faultstring").text = err.message
    body = tostring(envelope, encoding="utf-8", xml_declaration=True)
    return web.Response(status=500, body=body, content_type="text/xml", charset="utf-8")


def _involves(record: dict[str, Any], who: SubsystemId, side: str) -> bool:
    subsystem = record.get(f"{side}SubsystemCode") or ""
    return (
        record.get(f"{side}XRoadInstance") == who.instance
        and record.get(f"{side}MemberClass") == who.member_class
        and record.get(f"{side}MemberCode") == who.member_code
        and subsystem == who.subsystem_code  # a member-level identifier: records without a subsystem
    )


def _output(record: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    out = {f: record[f] for f in fields if record.get(f) is not None}
    if "monitoringDataTs" in out:
        out["monitoringDataTs"] = int(out["monitoringDataTs"]) // 1000  # seconds in PR-OPMON, ms in the log
    return out


def _seconds(record: dict[str, Any]) -> int:
    return int(record.get("monitoringDataTs") or 0) // 1000


async def _records(hub: HubRuntime, since_s: int, until_s: int) -> list[dict[str, Any]]:
    """Every logged record with ``monitoringDataTs`` in the window (seconds, inclusive), oldest first."""
    found: list[dict[str, Any]] = []
    before: int | None = None
    while True:
        page = await hub.store.list_messages(
            MessageQuery(
                since_ms=since_s * 1000 - _LONGEST_EXCHANGE_MS,
                until_ms=(until_s + 1) * 1000,
                before_id=before,
                limit=_PAGE,
            )
        )
        found.extend(m.record for m in page if since_s <= _seconds(m.record) <= until_s)
        if len(page) < _PAGE:
            break
        before = page[-1].id
    return sorted(found, key=lambda r: (int(r.get("monitoringDataTs") or 0), int(r["requestInTs"])))


def _check_window(since: int, until: int, available_before: int) -> None:
    """X-Road's checks of ``searchCriteria``, with its messages."""
    if since < 0:
        raise InvalidRequest("Records from timestamp is a negative number")
    if until < 0:
        raise InvalidRequest("Records to timestamp is a negative number")
    if until < since:
        raise InvalidRequest("Records to timestamp is earlier than records from timestamp")
    if since >= available_before:
        raise InvalidRequest(f"Records not available from {since} yet")


async def _operational_data(hub: HubRuntime, request: _Request, raw: bytes) -> web.Response:
    criteria = request.operation.find(_q(OM_NS, "searchCriteria"))  # type: ignore[union-attr]
    if criteria is None:
        raise InvalidRequest("getSecurityServerOperationalData needs searchCriteria")
    since, until = _long(criteria, "recordsFrom"), _long(criteria, "recordsTo")
    available_before = int(hub.clock.now())  # the current second is not over: records may still come
    _check_window(since, until, available_before)
    next_from = None
    if until >= available_before:
        until, next_from = available_before - 1, available_before
    wanted = criteria.find(_q(OM_NS, "client"))
    only = _client_id(wanted, "searchCriteria client") if wanted is not None else None
    spec = request.operation.find(_q(OM_NS, "outputSpec"))  # type: ignore[union-attr]
    fields = [f.text.strip() for f in spec if f.text] if spec is not None else []
    if unknown := sorted(set(fields) - set(OUTPUT_FIELDS)):
        raise InvalidRequest(f"Unknown output field in search criteria: {unknown[0]}")
    if hub.message_log is not None:
        await hub.message_log.flush()
    records = [
        r
        for r in await _records(hub, since, until)
        if (_involves(r, request.client, "client") or _involves(r, request.client, "service"))
        and (only is None or _involves(r, only, "service"))
    ]
    if len(records) > MAX_RECORDS:
        # as X-Road does: the last second answered is answered whole, the next answer starts after it
        last = _seconds(records[MAX_RECORDS - 1])
        cut = MAX_RECORDS
        while cut < len(records) and _seconds(records[cut]) == last:
            cut += 1
        records, next_from = records[:cut], last + 1
    answer = Element(_q(OM_NS, "getSecurityServerOperationalDataResponse"))
    SubElement(answer, _q(OM_NS, "recordsCount")).text = str(len(records))
    SubElement(answer, _q(OM_NS, "records")).text = f"cid:{PAYLOAD_CID}"
    if next_from is not None:
        SubElement(answer, _q(OM_NS, "nextRecordsFrom")).text = str(next_from)
    payload = gzip.compress(orjson.dumps({"records": [_output(r, fields or OUTPUT_FIELDS) for r in records]}))
    writer = MultipartWriter("related")
    writer.append(_soap(request, raw, answer), {"Content-Type": "text/xml; charset=UTF-8"})
    writer.append(
        payload,
        {
            "Content-Type": "application/gzip",
            "Content-Transfer-Encoding": "binary",
            "Content-ID": f"<{PAYLOAD_CID}>",
        },
    )
    content_type = f'multipart/related; type="text/xml"; charset=UTF-8; boundary="{writer.boundary}"'
    return web.Response(body=await writer.as_bytes(), headers={"Content-Type": content_type})


def _service_id(parent: Element, service: ServiceId) -> None:
    ident = SubElement(parent, _q(OM_NS, "service"), {_q(ID_NS, "objectType"): "SERVICE"})
    sub = service.subsystem
    values = (sub.instance, sub.member_class, sub.member_code, sub.subsystem_code)
    for tag, value in zip(_ID_PARTS, values, strict=True):
        SubElement(ident, _q(ID_NS, tag)).text = value
    SubElement(ident, _q(ID_NS, "serviceCode")).text = service.service_code


async def _health_data(hub: HubRuntime, request: _Request, raw: bytes) -> web.Response:
    criteria = request.operation.find(_q(OM_NS, "filterCriteria"))  # type: ignore[union-attr]
    wanted = criteria.find(_q(OM_NS, "client")) if criteria is not None else None
    only = _client_id(wanted, "filterCriteria client") if wanted is not None else None
    if hub.message_log is not None:
        await hub.message_log.flush()
    until = int(hub.clock.now() * 1000) + 1
    answer = Element(_q(OM_NS, "getSecurityServerHealthDataResponse"))
    SubElement(answer, _q(OM_NS, "monitoringStartupTimestamp")).text = str(hub.started_ms)
    SubElement(answer, _q(OM_NS, "statisticsPeriodSeconds")).text = str(STATISTICS_PERIOD)
    events = SubElement(answer, _q(OM_NS, "servicesEvents"))
    for row in await hub.store.service_health(until - STATISTICS_PERIOD * 1000, until):
        service = ServiceId.parse(row.service)
        if only is not None and only != service.subsystem:
            continue
        item = SubElement(events, _q(OM_NS, "serviceEvents"))
        _service_id(item, service)
        for name, value in (
            ("lastSuccessfulRequestTimestamp", row.last_success_ms),
            ("lastUnsuccessfulRequestTimestamp", row.last_failure_ms),
        ):
            if value is not None:
                SubElement(item, _q(OM_NS, name)).text = str(value)
        SubElement(item, _q(OM_NS, "serviceType")).text = "REST"
        stats = SubElement(item, _q(OM_NS, "lastPeriodStatistics"))
        counts: tuple[tuple[str, float | None], ...] = (
            ("successfulRequestCount", row.successes),
            ("unsuccessfulRequestCount", row.failures),
            ("requestMinDuration", row.min_ms),
            ("requestAverageDuration", row.avg_ms),
            ("requestMaxDuration", row.max_ms),
        )
        for name, figure in counts:
            if figure is not None:
                SubElement(stats, _q(OM_NS, name)).text = str(figure)
    return web.Response(body=_soap(request, raw, answer), content_type="text/xml", charset="utf-8")


async def opmonitoring_handler(request: web.Request) -> web.Response:
    """``POST /``: a PR-OPMON request, answered in the protocol's form or with a SOAP fault."""
    hub = request.app[HUB]
    try:
        raw = await request.read()
        parsed = _Request(raw)
        require_client(hub.pipeline.table.registry, parsed.client)
        by_token = await token_client(request.headers, hub.tokens)
        if by_token is not None and by_token != parsed.client:
            raise InvalidClientIdentifier(f"the client header {parsed.client} does not match the access token's client")
        if parsed.service_code == "getSecurityServerOperationalData":
            return await _operational_data(hub, parsed, raw)
        if parsed.service_code == "getSecurityServerHealthData":
            return await _health_data(hub, parsed, raw)
        raise InvalidRequest(
            f"the hub answers getSecurityServerOperationalData and getSecurityServerHealthData here, "
            f"not {parsed.service_code}"
        )
    except HubError as err:
        return _fault(err)
