"""The contract every adapter keeps, run against each built-in adapter and operation.

- a valid hub request goes through the adapter to the native agency and back, and the reply
  satisfies the operation's response model (round trip);
- every native request it yields is relative to the provider (no hosts, no I/O of its own);
- an answer its protocol does not allow is a ``NativeFormatError``, never another exception.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

import pytest

import adapters
from adapters import xml
from adapters.base import Adapter, HubCall, NativeFormatError, NativeRequest, NativeResponse, drive
from adapters.edxml import read_document
from adapters.json_rest import JsonRestAdapter
from adapters.xml import parse_xml, render_xml, xml_to_data
from ngsp_sim import sim
from ngsp_sim.clock import ManualClock
from ngsp_sim.contracts.examples import EXAMPLES, lookup_example
from ngsp_sim.identifiers import SubsystemId
from ngsp_sim.sim import AgencyContext, Country, SimulatedAgency
from ngsp_sim.testing import GARBAGE, check_garbage_answer, hub_call, round_trip
from schemas.population import TraCuuThongTinCongDanRequest
from tests.edxml_helpers import seeded_exchange

DVCQG_LOGIN = {"username": "ngsp-hub", "password": "demo-dvcqg-password"}
SIMULATOR = {"edxml": "vdxp"}  # otherwise the adapter's name


@dataclass(frozen=True)
class Case:
    adapter: str
    operation: str
    simulator: str
    method: str
    payload: dict[str, Any] | None = None
    query: dict[str, str] | None = None
    options: dict[str, Any] = field(default_factory=dict)
    body: bytes | None = None
    """The raw body, for operations whose request is XML (edXML)."""
    caller: str = "000.00.00.H29"


CASES = [
    Case(
        adapter,
        operation,
        SIMULATOR.get(adapter, adapter),
        ex.method,
        ex.payload,
        ex.query,
        DVCQG_LOGIN if adapter == "dvcqg" else {},
        ex.xml,
        SubsystemId.parse(ex.client).member_code,
    )
    for (adapter, operation), ex in EXAMPLES.items()
]
IDS = [f"{c.adapter}:{c.operation}" for c in CASES]


def _call(adapter: Adapter, case: Case) -> HubCall:
    return hub_call(
        adapter, case.operation, case.method, payload=case.payload, query=case.query, xml=case.body, caller=case.caller
    )


async def _agency(case: Case, stack: contextlib.AsyncExitStack) -> SimulatedAgency:
    clock = ManualClock()
    exchange = None
    if case.simulator == "vdxp":  # the axis runs inside a hub: give it one, with documents seeded
        exchange, store = await seeded_exchange(clock)
        stack.push_async_callback(store.close)
    agency = sim.BUILTIN[case.simulator](AgencyContext(Country.generate(3, 20, 5), clock, exchange=exchange))
    if exchange is not None and case.operation == "updateStatus":  # about the document of the sendEdoc example
        sent = EXAMPLES[("edxml", "sendEdoc")]
        assert sent.xml is not None
        await exchange.mailboxes.send(SubsystemId.parse(sent.client).member_code, sent.xml)
    return agency


def test_every_builtin_operation_has_a_contract_case() -> None:
    covered = {(c.adapter, c.operation) for c in CASES}
    assert covered == {(name, op) for name, cls in adapters.BUILTIN.items() for op in cls.operations}


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_round_trip_through_the_native_agency(case: Case) -> None:
    adapter = adapters.BUILTIN[case.adapter](case.options)
    async with contextlib.AsyncExitStack() as stack:
        agency = await _agency(case, stack)
        reply = await round_trip(adapter, agency, _call(adapter, case))
    if reply.raw is not None:  # a document passed on as it is (getEdoc): it must read as the model
        assert read_document(reply.raw).header.Subject


@pytest.mark.parametrize("garbage", GARBAGE)
@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_answers_outside_the_protocol_are_native_format_errors(case: Case, garbage: bytes) -> None:
    adapter = adapters.BUILTIN[case.adapter](case.options)
    passthrough = issubclass(adapters.BUILTIN[case.adapter], JsonRestAdapter) or case.adapter == "edxml"
    await check_garbage_answer(
        adapter, _call(adapter, case), garbage, passthrough=passthrough and case.operation != "getEdoc"
    )


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><x>&b;</x>',
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    ],
    ids=["entity-expansion", "external-entity"],
)
async def test_xml_with_entities_is_refused_not_expanded(body: bytes) -> None:
    case = CASES[0]
    adapter = adapters.BUILTIN[case.adapter](case.options)

    async def send(request: NativeRequest) -> NativeResponse:
        return NativeResponse(200, {}, body)

    with pytest.raises(NativeFormatError, match="refused for safety"):
        await drive(adapter.exchange(_call(adapter, case)), send)


XINCLUDE = (
    b'<x xmlns:xi="http://www.w3.org/2001/XInclude"><y><xi:include href="file:///etc/passwd" parse="text"/></y></x>'
)


@pytest.mark.parametrize(
    ("body", "refusal"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd"><x>a</x>', "DTDForbidden"),
        (b'<?xml version="1.0"?><!DOCTYPE x PUBLIC "-//X//X" "file:///etc/passwd"><x>a</x>', "DTDForbidden"),
        (b"<x>" * 10_000 + b"</x>" * 10_000, "beyond the parser's limits"),
    ],
    ids=["external-dtd", "external-dtd-file", "deep-nesting"],
)
def test_xml_attacks_are_refused_by_the_parser(body: bytes, refusal: str) -> None:
    with pytest.raises(NativeFormatError, match=f"refused for safety: .*{refusal}"):
        parse_xml(body)


def test_xinclude_is_never_processed() -> None:
    """An ``xi:include`` is an element like any other (its unknown name fails validation later); nothing
    is read from the file it names."""
    root = parse_xml(XINCLUDE)
    (inner,) = root[0]
    assert inner.tag == "{http://www.w3.org/2001/XInclude}include" and inner.text is None
    assert xml_to_data(root, TraCuuThongTinCongDanRequest) == {"y": ""}


def test_parse_errors_read_as_before() -> None:
    """Integrators see expat's words for XML that is not well-formed, whichever parser refused it."""
    for body, message in [
        (b"<a><b></a>", "not well-formed XML: mismatched tag: line 1, column 8"),
        (b"<a>", "not well-formed XML: no element found: line 1, column 3"),
        (b"", "not well-formed XML: no element found: line 1, column 0"),
        (b"<a>&nbsp;</a>", "not well-formed XML: undefined entity: line 1, column 3"),
    ]:
        with pytest.raises(NativeFormatError) as caught:
            parse_xml(body)
        assert str(caught.value) == message
    root = parse_xml(b"<a><!-- a comment --><?pi x?><b>1</b></a>")
    assert [child.tag for child in root] == ["b"]


def test_names_read_and_written_are_not_kept_without_bound() -> None:
    """The caches of element names (read from documents others send, written from their bodies' keys)
    keep neither a long name nor more than their bound, however many arrive: a sender cannot grow them."""
    long_name = "N" * 5000
    root = parse_xml(f"<a xmlns='urn:x'><{long_name}>1</{long_name}></a>".encode())
    assert xml_to_data(root, TraCuuThongTinCongDanRequest) == {long_name: "1"}
    parts: list[str] = []
    render_xml(parts, {long_name: "1"}, "ns")
    assert "".join(parts) == f"<ns:{long_name}>1</ns:{long_name}>"
    many = [f"K{i}" for i in range(xml._KEPT + 50)]
    render_xml([], dict.fromkeys(many, "1"), "bound")
    xml_to_data(parse_xml(("<a>" + "".join(f"<{k}/>" for k in many) + "</a>").encode()), TraCuuThongTinCongDanRequest)
    assert len(xml._TAGS["bound"]) <= xml._KEPT and len(xml._LOCAL) <= xml._KEPT
    assert all(len(name) <= xml._KEPT_LENGTH for name in [*xml._LOCAL, *xml._TAGS["ns"]])


def test_xml_request_encoding_round_trips_through_the_model() -> None:
    from adapters.soap import build_envelope, read_envelope
    from schemas.population import NAMESPACE, TraCuuThongTinCongDanRequest

    data = lookup_example(NgayThangNamSinh={"NgayThangNam": "19900515"})
    element = read_envelope(build_envelope("TraCuuThongTinCongDan", NAMESPACE, data))
    assert xml_to_data(element, TraCuuThongTinCongDanRequest) == data
