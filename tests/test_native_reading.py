"""In-process, neither side parses what the other wrote from data it already holds: a provider is handed
the hub's checked reading of the request (``NativeRequest.read``), and the adapter the provider's reading
of its answer (``NativeResponse.read``). Each must come out exactly as reading the bytes does, and a
provider is never handed a payload the hub did not check."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy
from pydantic import BaseModel

import ngsp_sim.sim.population
from adapters.base import HubCall, NativeRequest, NativeResponse, drive
from adapters.population import PopulationAdapter
from adapters.soap import build_envelope, build_fault, read_envelope
from adapters.xml import as_read, xml_to_data
from ngsp_sim import sim
from ngsp_sim.clock import ManualClock
from ngsp_sim.contracts.examples import lookup_example
from ngsp_sim.hub.paths import R1Target
from ngsp_sim.hub.requests import read_call
from ngsp_sim.identifiers import SubsystemId
from ngsp_sim.sim import AgencyContext, Country
from schemas.population import TraCuuThongTinCongDanResponse, XacThucThongTinCongDanResponse

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
        return NativeResponse(500, {}, build_fault("soapenv:Server", "captured"))  # only the request matters

    reply = await drive(PopulationAdapter().exchange(call), capture)
    assert (reply.status, reply.data["faultstring"]) == (500, "captured")
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
    handed = await agency.handle(native)
    assert (handed.status, handed.body) == (read_bytes.status, read_bytes.body)
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


@pytest.mark.parametrize(("operation", "body"), CASES)
async def test_the_adapter_reads_the_agencys_answer_as_it_reads_its_bytes(operation: str, body: dict[str, Any]) -> None:
    agency = sim.BUILTIN["population"](AgencyContext(COUNTRY, ManualClock()))
    native = await _native(operation, body)
    answer = await agency.handle(native)
    assert answer.given() is not None

    async def bytes_only(request: NativeRequest) -> NativeResponse:
        return dataclasses.replace(await agency.handle(request), read=None)

    model = PopulationAdapter.operations[operation].request_model
    assert model is not None
    call = HubCall(operation, "POST", "/", model.model_validate(body), None, "000.00.00.H29", "id-1")
    handed, parsed = (
        await drive(PopulationAdapter().exchange(call), agency.handle),
        await drive(PopulationAdapter().exchange(call), bytes_only),
    )
    assert (handed.status, handed.data) == (parsed.status, parsed.data)
    assert list(handed.data) == list(parsed.data)  # the same order too: the client's JSON is written from it


async def test_every_citizen_is_answered_alike_either_way() -> None:
    agency = sim.BUILTIN["population"](AgencyContext(COUNTRY, ManualClock()))
    for number in COUNTRY.citizens:
        native = await _native("TraCuuThongTinCongDan", lookup_example(SoDinhDanh=number))
        answer = await agency.handle(native)
        reply = PopulationAdapter.operations["TraCuuThongTinCongDan"].response_model
        tag, data = answer.given()
        assert data == xml_to_data(read_envelope(answer.body), reply) and tag == read_envelope(answer.body).tag


class _Inner(BaseModel):
    t: str
    n: int
    f: float
    b: bool
    tags: list[str] = []


class _Outer(BaseModel):
    t: str
    n: int | None = None
    inner: _Inner | None = None
    inners: list[_Inner] = []
    flags: list[bool] = []


_KEYS = st.sampled_from(sorted({*_Inner.model_fields, *_Outer.model_fields, "MaYeuCau", "TonTai", "CongDan", "Other"}))
_TEXT = st.text(
    st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff") | st.sampled_from("\t\n\r")
)
_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | _TEXT
    | st.sampled_from(["", " 7 ", "-3", "TRUE"])
)
_VALUES = st.recursive(
    _LEAVES, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=4), max_leaves=12
)
_MODELS: list[type[BaseModel]] = [_Outer, _Inner, TraCuuThongTinCongDanResponse, XacThucThongTinCongDanResponse]


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.dictionaries(_KEYS, _VALUES, max_size=6), st.sampled_from(_MODELS))
def test_as_read_is_what_reading_the_written_xml_gives(data: dict[str, Any], model: type[BaseModel]) -> None:
    """Whatever a provider puts in its answer (values of any type where the model expects another,
    lists where it expects one value, unknown fields), the reading it hands along is the adapter's."""
    written = read_envelope(build_envelope("Answer", "urn:test", data))
    assert as_read(data, model) == xml_to_data(written, model)
