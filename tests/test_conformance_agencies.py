"""``ngsp-sim conformance`` against the project's own simulated agencies, each served on its own over a
real socket (the app ``ngsp-sim agency run`` serves): every service the demo hub routes, JSON, query
parameters, SOAP and edXML alike, answers as its contract says and refuses invalid requests natively."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from ngsp_sim.cli.conformance import run_conformance
from ngsp_sim.clock import SystemClock
from ngsp_sim.config import DEFAULT_SEED
from ngsp_sim.conformance.runner import plan, run_plan
from ngsp_sim.registry.loader import demo_text
from ngsp_sim.sim import BUILTIN, AgencyContext, Country
from ngsp_sim.sim.vdxp import DEMO_EDOC
from tests.processes import run_cli_async, start

COUNTRY = Country.generate(DEFAULT_SEED, 50)


def _services() -> list[tuple[str, str]]:
    """(simulator kind, service id) of every service of the demo topology, one per kind and code."""
    spec = yaml.safe_load(demo_text())
    found: dict[tuple[str, str], str] = {}
    for agency in spec["agencies"]:
        for sub in agency["subsystems"]:
            for entry in sub.get("services", []):
                service = f"VN/{agency.get('member_class', 'GOV')}/{agency['code']}/{sub['code']}/{entry['code']}"
                found.setdefault((sub["simulator"], entry["code"]), service)
    return [(kind, service) for (kind, _), service in found.items()]


SERVICES = _services()


def test_every_built_in_agency_that_provides_a_service_is_checked() -> None:
    """The document systems are clients of the exchange axis (and webhook receivers), not providers."""
    assert {kind for kind, _ in SERVICES} == set(BUILTIN) - {"document_system"}


@pytest.mark.parametrize(
    ("kind", "service"), SERVICES, ids=[s.rsplit("/", 2)[-2] + "/" + s.rsplit("/", 1)[-1] for _, s in SERVICES]
)
async def test_the_agency_on_its_own_passes_conformance_with_no_departure(
    kind: str, service: str, aiohttp_server: Any
) -> None:
    agency = BUILTIN[kind](AgencyContext(COUNTRY, SystemClock()))
    server = await aiohttp_server(agency.aiohttp_app())
    prepared = plan(service, str(server.make_url("")).rstrip("/"), count=4, seed=1)
    results = await run_plan(prepared)
    departures = [f"{r.case.name}: {r.detail}" for r in results if not r.passed]
    assert departures == [], "\n".join(departures)
    kinds = Counter(r.case.kind for r in results)
    if prepared.carrier.form != "none":  # an operation without input has nothing to break
        assert kinds["invalid"] > 0 and kinds["valid"] > 0, kinds
    if prepared.carrier.form in ("json", "xml"):
        assert kinds["protocol"] == 2, kinds


@pytest.mark.parametrize(
    ("service", "form"),
    [
        ("VN/GOV/000.00.00.G12/CSDLDKDN/chiTietDoanhNghiep", "query"),
        ("VN/GOV/000.00.00.G22/DMDC/danhMucDanToc", "query"),
        ("VN/GOV/000.00.00.G22/VDXP/sendEdoc", "xml"),
        ("VN/GOV/000.00.00.G22/VDXP/getAgenciesList", "none"),
    ],
)
def test_query_and_edxml_services_get_cases_in_their_own_form(service: str, form: str) -> None:
    """No longer "covers services with a JSON request body": query parameters are varied as text, edXML
    documents element by element (nested paths), and invalid cases are those still invalid as sent."""
    prepared = plan(service, "http://127.0.0.1:9", count=3, seed=0)
    assert prepared.carrier.form == form
    names = [c.name for c in prepared.cases]
    if form == "xml":
        assert "invalid: edXMLHeader/MessageHeader/Subject missing" in names
        assert any(n.startswith("boundary: edXMLHeader/MessageHeader/") for n in names)
    if form == "query":
        assert "invalid: an unknown field TruongKhongTonTai" in names
        if service.endswith("chiTietDoanhNghiep"):
            assert "protocol: msdn given twice" in names
        # each invalid case is still invalid as the URL carries it (text): a provider can tell
        for case in prepared.cases:
            if case.kind == "invalid":
                with pytest.raises(ValueError):
                    prepared.carrier.read_query(case.payload)


def test_soap_cases_reach_nested_and_optional_fields_and_skip_what_xml_text_cannot_tell() -> None:
    """The population database takes JSON at the hub and XML text on its own wire: ``12345`` for
    ``MaCanBo`` arrives as the string "12345" (valid), so it is no invalid case; a nested optional
    date off its pattern is one."""
    prepared = plan("VN/GOV/000.00.00.G01/CSDLQGDC/XacThucThongTinCongDan", "http://127.0.0.1:9", count=2)
    names = [c.name for c in prepared.cases]
    assert "invalid: MaCanBo of the wrong type" not in names
    assert "invalid: MaCanBo longer than maxLength 64" in names
    assert any(n.startswith("invalid: NgayThangNamSinh/NgayThangNam not matching") for n in names)
    assert "boundary: NgayThangNamSinh/Nam left out" in names


async def test_the_population_database_run_as_a_process_passes_what_failed_23_times(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's report: ``agency run population`` then ``conformance`` gave 31 passed, 23 failed
    (every invalid request accepted). Now every invalid lookup gets a SOAP ``Client`` fault."""
    running = await start("agency", "run", "population", "--port", "0", "--population", "50")
    try:
        code = await run_conformance(
            "VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan", running.url, junit=tmp_path / "j.xml"
        )
    finally:
        await running.stop()
    out = capsys.readouterr().out
    assert code == 0, out
    assert re.search(r"PASS: \d+ passed, 0 failed", out), out
    invalid = re.search(r"(\d+) invalid", out)
    assert invalid is not None and int(invalid.group(1)) >= 15, out  # refused, each with a Client fault


async def test_the_command_line_takes_an_edxml_example_file(aiohttp_server: Any, tmp_path: Path) -> None:
    """``--example`` may be the XML document itself for an edXML service (JSON for the others)."""
    server = await aiohttp_server(BUILTIN["vdxp"](AgencyContext(COUNTRY, SystemClock())).aiohttp_app())
    document = tmp_path / "edoc.xml"
    document.write_bytes(DEMO_EDOC.replace("Đề án 06".encode(), "Đề án 06 (từ tệp)".encode()))
    code, out, err = await run_cli_async(
        "conformance",
        "--service",
        "VN/GOV/000.00.00.G22/VDXP/sendEdoc",
        "--target",
        str(server.make_url("")).rstrip("/"),
        "--example",
        str(document),
        "--examples",
        "2",
        "--junit",
        str(tmp_path / "j.xml"),
    )
    assert code == 0, out + err
    assert re.search(r"PASS: \d+ passed, 0 failed", out) and "2 protocol" in out
    assert "từ tệp" in (tmp_path / "j.xml").read_text()  # the cases start from the file's document
