"""``ngsp-sim contract diff OLD NEW``: what a new contract version breaks for existing clients, as a
user runs it (real processes), on the documents the hub publishes and a 1.0 -> 2.0 gateway version."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from ngsp_sim.contracts.diff import diff_contracts
from ngsp_sim.contracts.openapi import service_openapi
from ngsp_sim.identifiers import ServiceId
from ngsp_sim.plugins import installed
from ngsp_sim.registry import load_registry
from ngsp_sim.registry.loader import demo_text
from tests.processes import run_cli

DETAILS = "VN/GOV/000.00.00.G12/CSDLDKDN/chiTietDoanhNghiep"


def published(version: str = "1.0") -> dict[str, Any]:
    """The hub's own document of chiTietDoanhNghiep, served at the gateway context ``/apiCSDLDKDN/VERSION``."""
    plugins = installed()
    registry = load_registry(None, plugins.adapters, plugins.simulators)
    service = registry.services[ServiceId.parse(DETAILS)]
    adapter = plugins.adapters[service.adapter]
    document = service_openapi(service, adapter.operations[service.operation], adapter.error_model)
    document["servers"] = [{"url": f"/apiCSDLDKDN/{version}"}]
    return document


def operation(document: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = document["paths"]["/chiTietDoanhNghiep"]["get"]
    return operation


def write(path: Path, document: dict[str, Any]) -> str:
    path.write_text(json.dumps(document))
    return str(path)


def kinds(stdout: str) -> set[tuple[bool, str, str]]:
    return {(c["breaking"], c["kind"], c["where"]) for c in json.loads(stdout)["changes"]}


def test_a_compatible_version_exits_0(tmp_path: Path) -> None:
    """A new optional query parameter and a new response field: clients of 1.0 keep working."""
    old = published()
    new = copy.deepcopy(old)
    operation(new)["parameters"].append({"name": "ngonNgu", "in": "query", "required": False, "schema": {}})
    new["components"]["schemas"]["ChiTietDoanhNghiepResponse"]["properties"]["NgayCapNhat"] = {"type": "string"}
    files = write(tmp_path / "old.json", old), write(tmp_path / "new.json", new)
    result = run_cli("contract", "diff", *files)
    assert result.returncode == 0, result.stderr
    assert "0 breaking change(s), 2 compatible" in result.stdout
    where = "GET /apiCSDLDKDN/1.0/chiTietDoanhNghiep"
    assert kinds(run_cli("contract", "diff", *files, "--format", "json").stdout) == {
        (False, "parameter_added", f"{where} query ngonNgu"),
        (False, "property_added", f"{where} response 200/NgayCapNhat"),
    }
    same = run_cli("contract", "diff", files[0], files[0])
    assert same.returncode == 0 and "no change" in same.stdout


def test_a_breaking_version_exits_1_and_names_each_break(tmp_path: Path) -> None:
    """1.0 -> 2.0: the version itself, a new required parameter, a response field gone (behind a
    $ref), a narrower pattern; YAML reads as JSON does."""
    new = published("2.0")
    operation(new)["parameters"].append({"name": "loaiThongTin", "in": "query", "required": True, "schema": {}})
    del new["components"]["schemas"]["ChiTietDoanhNghiepResponse"]["properties"]["HOAdress"]
    del new["components"]["schemas"]["EnterpriseInfo"]["properties"]["NAME"]
    msdn = next(p for p in operation(new)["parameters"] if p["name"] == "msdn")
    msdn["schema"]["pattern"] = "^\\d{10}$"
    old_file = write(tmp_path / "v1.json", published())
    new_file = tmp_path / "v2.yaml"
    new_file.write_text(yaml.safe_dump(new, allow_unicode=True))
    result = run_cli("contract", "diff", old_file, str(new_file))
    assert result.returncode == 1, result.stderr
    assert "BREAKING" in result.stdout and "5 breaking change(s)" in result.stdout
    where = "GET /apiCSDLDKDN/1.0/chiTietDoanhNghiep"
    assert kinds(run_cli("contract", "diff", old_file, str(new_file), "--format", "json").stdout) == {
        (True, "version_removed", where),
        (True, "required_parameter_added", f"{where} query loaiThongTin"),
        (True, "pattern_changed", f"{where} query msdn"),
        (True, "property_removed", f"{where} response 200/HOAdress"),
        (True, "property_removed", f"{where} response 200/MainInformation/NAME"),
    }


def _document(request: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    body = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Req"}}}}
    answer = {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Res"}}}}
    operation = {"requestBody": body, "responses": {"200": answer}}
    return {"paths": {"/x": {"post": operation}}, "components": {"schemas": {"Req": request, "Res": response}}}


def _field(**schema: Any) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "properties": {"f": schema}, "required": ["f"]}


@pytest.mark.parametrize(
    ("old", "new", "request_breaks", "response_breaks"),
    [
        pytest.param(_field(enum=["A", "B"]), _field(enum=["A"]), True, False, id="enum-narrowed"),
        pytest.param(_field(enum=["A"]), _field(enum=["A", "B"]), False, True, id="enum-widened"),
        pytest.param(_field(type="integer"), _field(type="number"), False, True, id="type-widened"),
        pytest.param(_field(type="string"), _field(type="string", maxLength=5), True, False, id="bound-added"),
        pytest.param(
            _field(type="string"), {"type": "object", "additionalProperties": False}, True, True, id="removed"
        ),
        pytest.param(_field(type="string"), {"type": "object", "properties": {}}, False, True, id="removed-open"),
        pytest.param(
            _field(type="string"), {**_field(type="string"), "required": []}, False, True, id="became-optional"
        ),
    ],
)
def test_requests_and_responses_have_opposite_rules(
    old: dict[str, Any], new: dict[str, Any], request_breaks: bool, response_breaks: bool
) -> None:
    """What narrows a request breaks its clients; what widens a response, or takes a field away, does."""
    as_request = diff_contracts(_document(old, {}), _document(new, {}))
    as_response = diff_contracts(_document({}, old), _document({}, new))
    assert as_request and as_response
    assert any(c.breaking for c in as_request) is request_breaks
    assert any(c.breaking for c in as_response) is response_breaks


def test_unusable_files_are_a_sentence_and_exit_2(tmp_path: Path) -> None:
    good = write(tmp_path / "good.json", published())
    (tmp_path / "list.yaml").write_text("- not\n- a contract\n")
    result = run_cli("contract", "diff", good, str(tmp_path / "list.yaml"))
    assert result.returncode == 2 and "not an OpenAPI document" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("contract", "diff", good, str(tmp_path / "missing.json"))
    assert result.returncode == 2 and "missing.json" in result.stderr


def test_a_version_published_beside_the_old_one_is_compatible() -> None:
    """2.0 added while 1.0 stays: only a new operation; and a recursive schema ($ref cycle) ends."""
    old = published()
    tree = {
        "type": "object",
        "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/T"}}},
    }
    old["components"]["schemas"]["T"] = tree
    old["components"]["schemas"]["ChiTietDoanhNghiepResponse"]["properties"]["Tree"] = {
        "$ref": "#/components/schemas/T"
    }
    new = copy.deepcopy(old)
    item = new["paths"].pop("/chiTietDoanhNghiep")
    new["servers"] = [{"url": "/apiCSDLDKDN"}]
    new["paths"] = {"/1.0/chiTietDoanhNghiep": item, "/2.0/chiTietDoanhNghiep": item}
    changes = diff_contracts(old, new)
    assert [(c.breaking, c.kind, c.where) for c in changes] == [
        (False, "operation_added", "GET /apiCSDLDKDN/2.0/chiTietDoanhNghiep")
    ]
    assert diff_contracts(old, copy.deepcopy(old)) == []


def test_two_topologies_compare_every_service(tmp_path: Path) -> None:
    """--topologies: the business registry's gateway context moves to 2.0 and tinhTrangHoSo is gone."""
    old = demo_text()
    block = '          - code: tinhTrangHoSo\n            adapter: business\n            gateway: {context: apiCSDLDKDN, version: "1.0"}\n'
    rule = "  - group: mot-cua\n    service: VN/GOV/000.00.00.G12/CSDLDKDN/tinhTrangHoSo\n"
    assert block in old and rule in old
    new = old.replace(block, "").replace(rule, "").replace('apiCSDLDKDN, version: "1.0"', 'apiCSDLDKDN, version: "2.0"')
    (tmp_path / "old.yaml").write_text(old)
    (tmp_path / "new.yaml").write_text(new)
    files = str(tmp_path / "old.yaml"), str(tmp_path / "new.yaml")
    result = run_cli("contract", "diff", "--topologies", *files, "--format", "json")
    assert result.returncode == 1, result.stderr
    assert kinds(result.stdout) == {
        (True, "version_removed", "GET /apiCSDLDKDN/1.0/chiTietDoanhNghiep"),
        (True, "service_removed", "VN/GOV/000.00.00.G12/CSDLDKDN/tinhTrangHoSo"),
    }
    assert run_cli("contract", "diff", "--topologies", files[0], files[0]).returncode == 0
