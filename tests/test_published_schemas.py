"""The published documents say exactly what the hub enforces (issue 18, section 1): a value the
published JSON Schema accepts is one the hub's check accepts, and the reverse, for the rules a pattern
can say (real calendar dates, dossier-code dates, the CCCD's birth year, the tax code's zero rules);
what a pattern cannot say (the tax code's check digit, JSON integers without a fraction) is in the
``description``. The admin API's parameters carry their real types, ranges and choices."""

from __future__ import annotations

from datetime import date
from typing import Any

import jsonschema
import pytest
from aiohttp.test_utils import TestClient
from pydantic import TypeAdapter, ValidationError

from ngsp_sim.admin.api import admin_openapi
from ngsp_sim.registry.spec import AccessSpec
from ngsp_sim.transport.faults import FaultSpec
from ngsp_sim.validation import STRICT_INTEGER
from schemas.common import CCCD, MST, DvcqgDateTime, EdxmlDate, MaHoSo, PopulationDate
from schemas.scenarios import ScenarioRunCreate
from tests.helpers import MOTCUA

NEXT_YEAR = f"{(date.today().year + 1) % 100:02d}"
THIS_YEAR = f"{date.today().year % 100:02d}"


def _hub_accepts(kind: Any, value: object) -> bool:
    try:
        TypeAdapter(kind).validate_python(value)
    except ValidationError:
        return False
    return True


def _schema_accepts(kind: Any, value: object) -> bool:
    schema = TypeAdapter(kind).json_schema()
    return jsonschema.Draft202012Validator(schema).is_valid(value)


@pytest.mark.parametrize(
    ("kind", "value", "valid"),
    [
        (PopulationDate, "20090931", False),
        (PopulationDate, "20090930", True),
        (PopulationDate, "20240229", True),
        (PopulationDate, "20230229", False),
        (PopulationDate, "19000229", False),
        (PopulationDate, "20000229", True),
        (PopulationDate, "18991231", False),
        (DvcqgDateTime, "20250431120000", False),
        (DvcqgDateTime, "20250430235959", True),
        (EdxmlDate, "2025/02/29", False),
        (EdxmlDate, "2024/02/29", True),
        (MaHoSo, "000.00.00.H29-251131-0001", False),
        (MaHoSo, "000.00.00.H29-251130-0001", True),
        (MaHoSo, "000.00.00.H29-250229-0001", False),
        (CCCD, f"0792{THIS_YEAR}001234", True),
        (CCCD, f"0792{NEXT_YEAR}001234", False),
        (MST, "0100000000", False),
        (MST, "0312345673-000", False),
        (MST, "0312345673-001", True),
        (MST, "0312345673", True),
    ],
)
def test_the_published_schema_and_the_check_agree(kind: Any, value: str, valid: bool) -> None:
    assert (_hub_accepts(kind, value), _schema_accepts(kind, value)) == (valid, valid)


def test_the_tax_code_check_digit_is_named_where_a_pattern_cannot_say_it() -> None:
    schema = TypeAdapter(MST).json_schema()
    assert schema["format"] == "vn-mst" and "31, 29, 23, 19, 17, 13, 7, 5, 3" in schema["description"]
    assert _schema_accepts(MST, "0312345678") and not _hub_accepts(MST, "0312345678")  # the digit alone


async def test_every_published_integer_says_it_takes_no_fraction(hub: TestClient[Any, Any]) -> None:
    doc = await (
        await hub.get(
            "/r1/VN/GOV/000.00.00.G22/DVCQG/getOpenAPI?serviceCode=DongBoHoSoMC",
            headers={"X-Road-Client": "VN/GOV/000.00.00.H29/MOTCUA"},
        )
    ).json()
    fee = doc["components"]["schemas"]["Fee"]["properties"]
    assert STRICT_INTEGER in fee["LoaiPhiLePhi"]["description"] and STRICT_INTEGER in fee["Gia"]["description"]
    assert "Strict: true or false only" in doc["components"]["schemas"]["DongBoHoSoMCRequest"]["properties"][
        "isUpdating"
    ].get("description", "")


async def test_a_service_whose_provider_speaks_xml_publishes_the_xml_text_rule(hub: TestClient[Any, Any]) -> None:
    resp = await hub.get(
        "/r1/VN/GOV/000.00.00.G01/CSDLQGDC/getOpenAPI?serviceCode=TraCuuThongTinCongDan",
        headers={"X-Road-Client": MOTCUA},
    )
    request = (await resp.json())["components"]["schemas"]["TraCuuThongTinCongDanRequest"]["properties"]
    validator = jsonschema.Draft202012Validator(request["MaYeuCau"])
    assert validator.is_valid("YC\t0001\n") and not validator.is_valid("YC\u00100001")


def _parameters(path: str, method: str = "get") -> dict[str, dict[str, Any]]:
    return {p["name"]: p["schema"] for p in admin_openapi()["paths"][path][method].get("parameters", [])}


def test_admin_parameters_have_their_real_types() -> None:
    messages = _parameters("/api/v1/messages")
    assert messages["limit"] == {"type": "integer", "minimum": 1, "maximum": 500}
    assert messages["succeeded"]["enum"] == ["true", "false"]
    assert messages["since"]["type"] == messages["cursor"]["type"] == "integer"
    assert _parameters("/api/v1/health")["period"]["type"] == "integer"
    deliveries = _parameters("/api/v1/deliveries")
    assert deliveries["status"]["enum"] == ["pending", "failed", "delivered", "dead"]
    assert deliveries["limit"]["maximum"] == 1000
    assert _parameters("/api/v1/messages/{id}")["id"]["type"] == "integer"
    assert _parameters("/api/v1/scenario-runs/{id}")["id"]["type"] == "integer"
    assert _parameters("/api/v1/tiers/{name}", "put")["name"]["pattern"] == "^[A-Za-z0-9_-]{1,64}$"


def test_the_live_feed_is_documented_as_server_sent_events() -> None:
    content = admin_openapi()["paths"]["/api/v1/events"]["get"]["responses"]["200"]["content"]
    assert list(content) == ["text/event-stream"]


@pytest.mark.parametrize(
    ("fault", "valid"),
    [
        ({"kind": "latency"}, False),
        ({"kind": "latency", "latency": {"distribution": "uniform", "min_ms": 1}}, False),
        ({"kind": "latency", "latency": {"ms": 5}}, True),
        ({"kind": "latency", "latency": {"distribution": "lognormal", "median_ms": 5}}, True),
        ({"kind": "reset"}, True),
    ],
)
def test_a_fault_schema_says_what_its_latency_needs(fault: dict[str, Any], valid: bool) -> None:
    body = {"id": "f", "target": "VN/GOV/000.00.00.G01/CSDLQGDC", **fault}
    assert (_hub_accepts(FaultSpec, body), _schema_accepts(FaultSpec, body)) == (valid, valid)


@pytest.mark.parametrize(
    ("one", "other", "valid"),
    [(True, False, True), (False, True, True), (False, False, False), (True, True, False)],
)
def test_exactly_one_of_two_fields_is_in_the_schema_too(one: bool, other: bool, valid: bool) -> None:
    access = {"service": "VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan"}
    access |= ({"client": MOTCUA} if one else {}) | ({"group": "g"} if other else {})
    assert (_hub_accepts(AccessSpec, access), _schema_accepts(AccessSpec, access)) == (valid, valid)
    run = ({"scenario": "identity-check"} if one else {}) | ({"source": "name: x"} if other else {})
    assert _schema_accepts(ScenarioRunCreate, run) == valid  # (the handler checks this pair)


@pytest.mark.parametrize(
    ("fault", "valid"),
    [
        ({"kind": "timestamping", "acceptable_failure_seconds": 60}, True),
        ({"kind": "ocsp", "acceptable_failure_seconds": 60}, False),  # the tolerance is a time-stamping one
        ({"kind": "ocsp", "acceptable_failure_seconds": None}, True),
        ({"kind": "latency"}, False),
    ],
)
def test_a_faults_cross_field_rules_are_published_as_checked(fault: dict[str, Any], valid: bool) -> None:
    """What ``FaultSpec`` checks across its fields is in the schema the admin API publishes (the fuzzer found
    ``acceptable_failure_seconds`` on an ``ocsp`` fault allowed by the document and refused by the hub)."""
    body = {"id": "f1", "target": "VN/GOV/000.00.00.G01/CSDLQGDC", **fault}
    assert jsonschema.Draft202012Validator(FaultSpec.model_json_schema()).is_valid(body) is valid
    try:
        FaultSpec.model_validate(body)
    except ValidationError:
        assert not valid
    else:
        assert valid
