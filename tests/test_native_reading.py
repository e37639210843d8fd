"""A provider answered in-process is handed the hub's checked reading of the request it is sent
(``NativeRequest.read``) instead of parsing the bytes the adapter wrote from it. It must answer exactly
as it does when it reads those bytes, and it is never handed a payload the hub did not check."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy

import ngsp_sim.sim.population
from adapters.base import HubCall, NativeRequest, NativeResponse, drive
from adapters.population import PopulationAdapter
from ngsp_sim import sim
from ngsp_sim.clock import ManualClock
from ngsp_sim.contracts.examples import lookup_example
from ngsp_sim.hub.paths import R1Target
from ngsp_sim.hub.requests import read_call
from ngsp_sim.identifiers import SubsystemId
from ngsp_sim.sim import AgencyContext, Country

COUNTRY = Country.generate(3, 20, 5)
LOOKUP = PopulationAdapter.operations["TraCuuThongTinCongDan"]
VERIFY = {"MaTichHop": "033", "HoVaTen": "Nguyễn Văn An", "NgayThangNamSinh": {"NgayThangNam": "19900515"}}
# Text a SOAP round trip could change: markup, a carriage return (XML parsers turn CR and CR LF into LF),
# spaces at the ends, a tab, letters outside ASCII, a separator Python calls a line break.
NAMES = ["A&B<x>", "L\r\nM", "\r", "a\rb", " An ", "tab\there", "Nguyễn Văn An", "]]>", "x\u2028y", "\"q\" 'a'"]
CASES = [
    ("TraCuuThongTinCongDan", lookup_example()),
    ("TraCuuThongTinCongDan", lookup_example(SoDinhDanh="001099000001")),  # nobody: the native "not found"
    *[("TraCuuThongTinCongDan", lookup_example(HoVaTen=name, MaCanBo=name, MaYeuCau=name)) for name in NAMES],
    *[("XacThucThongTinCongDan", lookup_example(**{**VERIFY, "HoVaTen": name, "MaYeuCau": name})) for name in NAMES],
    ("XacThucThongTinCongDan", lookup_example(**VERIFY)),
]


async def _native(operation: str, body: dict[str, Any], checked: bool = True) -> NativeRequest:
    """The native request the population adapter writes for ``body`` (validated as the hub does)."""
    model = PopulationAdapter.operations[operation].request_model
    assert model is not None
    payload = model.model_validate(body)
    call = HubCall(operation, "POST", "/", payload, None, "000.00.00.H29", "id-1", checked=checked)
    sent: list[NativeRequest] = []

    async def capture(native: NativeRequest) -> NativeResponse:
        sent.append(native)
        return NativeResponse(500, {}, b"")

    with pytest.raises(Exception):  # noqa: B017  the empty answer is not SOAP; only the request matters
        await drive(PopulationAdapter().exchange(call), capture)
    return sent[0]


@pytest.mark.parametrize(("operation", "body"), CASES)
async def test_the_agency_answers_the_hubs_reading_as_it_answers_the_bytes(
    operation: str, body: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    agency = sim.BUILTIN["population"](AgencyContext(COUNTRY, ManualClock()))
    native = await _native(operation, body)
    assert native.read is not None and native.read[0] is native.body
    read_bytes = await agency.handle(dataclasses.replace(native, read=None))

    def unread(raw: bytes) -> Any:
        raise AssertionError("the agency parsed the bytes it was handed a reading of")

    monkeypatch.setattr(ngsp_sim.sim.population, "read_envelope", unread)
    given = await agency.handle(native)
    assert (given.status, given.body) == (read_bytes.status, read_bytes.body)
    assert read_bytes.status == 200


async def test_other_bytes_than_those_written_are_read() -> None:
    """A reading goes with the very bytes it was made of: bytes changed on the way are read again."""
    agency = sim.BUILTIN["population"](AgencyContext(COUNTRY, ManualClock()))
    native = await _native("TraCuuThongTinCongDan", lookup_example())
    broken = dataclasses.replace(native, body=native.body.replace(b"079090001234", b"07909000123X"))
    answer = await agency.handle(broken)
    assert answer.status == 500 and b"soapenv:Client" in answer.body


async def test_a_payload_the_hub_did_not_check_is_never_handed_over() -> None:
    native = await _native("TraCuuThongTinCongDan", lookup_example(), checked=False)
    assert native.read is None


def test_a_request_passed_on_as_sent_is_marked_unchecked() -> None:
    """Observe mode forwards a request that breaks its model as it was sent: the call says so."""
    target = R1Target(SubsystemId.parse("VN/GOV/000.00.00.G01/CSDLQGDC"), "TraCuuThongTinCongDan", "/")
    client = SubsystemId.parse("VN/GOV/000.00.00.H29/MOTCUA")
    headers = CIMultiDictProxy(CIMultiDict({"Content-Type": "application/json"}))
    no_query = MultiDictProxy(MultiDict[str]())

    def call(body: bytes) -> HubCall:
        return read_call(LOOKUP, target, client, "POST", no_query, headers, body, "id", True, as_sent=True)[0]

    assert call(b'{"MaYeuCau": "x"}').checked is False
    assert call(b'{"MaYeuCau": "x"}').reading(b"<x/>") is None
    assert LOOKUP.request_model is not None
    valid = call(LOOKUP.request_model.model_validate(lookup_example()).model_dump_json().encode())
    assert valid.checked and valid.reading(b"<x/>") == (b"<x/>", valid.payload)
