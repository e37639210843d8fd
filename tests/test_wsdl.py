"""Every simulated SOAP agency describes itself with a WSDL that a SOAP client nobody here wrote (zeep)
reads and calls through, over a real socket, as an integrator would against the real system: a lookup, a
verification, and a refusal surfacing as the client's ``Fault``."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

import adapters
from adapters.base import NativeRequest
from adapters.population import PopulationAdapter
from adapters.soap import SOAP_ENV, SoapAdapter, build_envelope
from adapters.wsdl import build_wsdl
from ngsp_sim import sim
from ngsp_sim.clock import ManualClock
from ngsp_sim.contracts.examples import EXAMPLES
from ngsp_sim.registry import load_registry
from ngsp_sim.sim.context import AgencyContext
from ngsp_sim.sim.country import DEMO_CITIZEN, Country
from ngsp_sim.sim.population import PopulationAgency
from schemas.population import NAMESPACE, NATIVE_PATH
from tests.helpers import lookup_body, missing_tool
from tests.processes import Running, start

REGISTRY = load_registry(None, adapters.BUILTIN, sim.BUILTIN)
SOAP_AGENCIES = sorted(
    {
        (REGISTRY.subsystems[s.id.subsystem].simulator or "", s.adapter)
        for s in REGISTRY.services.values()
        if issubclass(adapters.BUILTIN[s.adapter], SoapAdapter) and REGISTRY.subsystems[s.id.subsystem].simulator
    }
)


def _zeep() -> Any:
    try:
        return importlib.import_module("zeep")
    except ImportError:
        missing_tool("zeep is not installed (a test extra: pip install -e '.[dev]')")


async def _agency(kind: str) -> AsyncIterator[Running]:
    running = await start("agency", "run", kind, "--port", "0", "--population", "10")
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def population() -> AsyncIterator[Running]:
    async for running in _agency("population"):
        yield running


def test_the_demo_has_soap_agencies() -> None:
    assert ("population", "population") in SOAP_AGENCIES


@pytest.mark.parametrize(("kind", "adapter"), SOAP_AGENCIES, ids=[k for k, _ in SOAP_AGENCIES])
async def test_every_soap_agency_serves_a_wsdl_of_every_operation(kind: str, adapter: str) -> None:
    zeep = _zeep()
    soap = adapters.BUILTIN[adapter]
    assert issubclass(soap, SoapAdapter)
    async for running in _agency(kind):
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{running.url}{soap.path}") as plain:
                assert plain.status == 405  # a GET without ?wsdl: calls are POST
            async with session.get(f"{running.url}{soap.path}?wsdl") as described:
                assert described.status == 200 and described.content_type == "text/xml"
        client = await asyncio.to_thread(zeep.Client, f"{running.url}{soap.path}?wsdl")
        (service,) = client.wsdl.services.values()
        (port,) = service.ports.values()
        assert sorted(port.binding.all()) == sorted(soap.operations)
        assert port.binding_options["address"] == f"{running.url}{soap.path}"


async def test_zeep_looks_up_verifies_and_gets_a_fault(population: Running) -> None:
    zeep = _zeep()
    client = await asyncio.to_thread(zeep.Client, f"{population.url}{NATIVE_PATH}?wsdl")
    found = await asyncio.to_thread(client.service.TraCuuThongTinCongDan, **lookup_body())
    (citizen,) = found.CongdanCollection.CongDan
    assert citizen.SoDinhDanh == DEMO_CITIZEN and citizen.HoVaTen.Ten == "An"
    assert citizen.NgayThangNamSinh.NgayThangNam == "19900515"

    check = lookup_body(MaTichHop="033", HoVaTen="Nguyễn Văn An", NgayThangNamSinh={"NgayThangNam": "19900515"})
    assert (await asyncio.to_thread(client.service.XacThucThongTinCongDan, **check)).TonTai is True
    check["HoVaTen"] = "Trần Thị Bình"
    assert (await asyncio.to_thread(client.service.XacThucThongTinCongDan, **check)).TonTai is False

    with pytest.raises(zeep.exceptions.Fault) as fault:  # a lookup sent with the verification's code
        await asyncio.to_thread(client.service.TraCuuThongTinCongDan, **lookup_body(MaTichHop="033"))
    assert fault.value.code == "soapenv:Client" and "MaTichHop" in fault.value.message


async def test_the_wsdl_schema_validates_what_the_adapter_sends_and_the_agency_answers() -> None:
    """The XSD inside the WSDL, compiled by lxml, accepts every request the adapter builds from the
    catalog's examples and every answer the simulated database gives them: it is the protocol as spoken."""
    try:
        etree = importlib.import_module("lxml.etree")
    except ImportError:
        missing_tool("lxml is not installed (it comes with zeep, a test extra)")
    wsdl = etree.fromstring(build_wsdl(PopulationAdapter, "CSDLQGDC", "http://127.0.0.1/dancuquocgia/ws"))
    schema = etree.XMLSchema(
        wsdl.find("{http://schemas.xmlsoap.org/wsdl/}types/{http://www.w3.org/2001/XMLSchema}schema")
    )
    agency = PopulationAgency(AgencyContext(Country.generate(7, 50, 10), ManualClock()))
    for code in PopulationAdapter.operations:
        envelope = build_envelope(code, NAMESPACE, EXAMPLES[("population", code)].payload or {})
        reply = await agency.handle(NativeRequest("POST", NATIVE_PATH, body=envelope))
        assert reply.status == 200, reply.body
        for message, name in ((envelope, code), (reply.body, f"{code}Response")):
            (element,) = etree.fromstring(message).find(f"{{{SOAP_ENV}}}Body")
            assert element.tag == f"{{{NAMESPACE}}}{name}"
            schema.assertValid(etree.ElementTree(element))
