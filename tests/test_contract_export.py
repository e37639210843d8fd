"""A contract service described by the integrator's own operation (issue 21 item 1): ``export openapi``
writes its path template, parameters and schemas at the server ``/r1/{service}`` (valid by
openapi-spec-validator, a client generated from it by openapi-python-client calls a real hub, schemathesis
fuzzes the hub with it), and ``contract diff --topologies`` compares those documents."""

from __future__ import annotations

import copy
import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from openapi_spec_validator import validate

from ngsp_sim.config import HubConfig, SecurityConfig
from ngsp_sim.contracts.openapi import contract_openapi
from ngsp_sim.plugins import installed
from ngsp_sim.registry import load_registry
from ngsp_sim.testing.embedded import EmbeddedHub, HubHandle
from tests.fuzz_rules import call_service, fuzz_config, fuzz_settings
from tests.helpers import missing_tool
from tests.processes import run_cli

EXAMPLE = Path(__file__).parent.parent / "examples" / "contract"
LGSP = "VN/GOV/000.00.00.H29/LGSPDATDAI"
MOTCUA = "VN/GOV/000.00.00.H29/MOTCUA"
FILE = "VN_GOV_000.00.00.H29_LGSPDATDAI_{}.openapi.json"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("contract-export")
    result = run_cli("export", "openapi", str(out), "--topology", str(EXAMPLE / "topology.yaml"))
    assert result.returncode == 0, result.stderr
    assert "wrote 3 service documents" in result.stdout
    return out


@pytest.fixture(scope="module")
def contract_hub() -> Iterator[HubHandle]:
    config = HubConfig(port=0, topology=EXAMPLE / "topology.yaml", security=SecurityConfig(kdf_cost=2**10))
    with EmbeddedHub(config) as hub:
        yield hub


def _document(exported: Path, code: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((exported / "services" / FILE.format(code)).read_text())
    return document


def test_the_export_is_the_integrators_operation_and_valid_openapi(exported: Path) -> None:
    source = yaml.safe_load((EXAMPLE / "hoso-openapi.yaml").read_text(encoding="utf-8"))
    paths = {
        "taoHoSo": ("/hoso", "post"),
        "layHoSo": ("/hoso/{maHoSo}", "get"),
        "layLinhVuc": ("/danhmuc/linhvuc", "get"),
    }
    for code, (path, method) in paths.items():
        document = _document(exported, code)
        validate(document)  # raises on any problem
        assert document["openapi"] == "3.0.3"  # the integrator's version, kept
        assert document["servers"] == [{"url": f"/r1/{LGSP}/{code}"}]
        assert list(document["paths"]) == [path] and list(document["paths"][path]) == [method]
        operation = document["paths"][path][method]
        own = source["paths"][path][method]
        assert operation["operationId"] == code
        assert {k: v for k, v in operation["responses"].items() if k not in ("4XX", "5XX")} == own["responses"]
        assert operation["responses"]["5XX"]["headers"]["X-Road-Error"]  # the hub's own errors too
        assert operation.get("requestBody") == own.get("requestBody")
        assert operation["parameters"][0]["name"] == "X-Road-Client"
        assert operation["parameters"][2:] == own.get("parameters", [])
        assert document["components"] == source["components"]


def test_a_client_generated_from_the_export_calls_the_hub(
    exported: Path, contract_hub: HubHandle, tmp_path: Path
) -> None:
    try:
        importlib.import_module("openapi_python_client")
    except ImportError:
        missing_tool("openapi-python-client is not installed (a test extra: pip install -e '.[dev]')")
    config = exported / "openapi-python-client.yaml"  # the configuration the export writes beside the documents
    options = ["--meta", "none", "--output-path", str(tmp_path / "hoso_client"), "--config", str(config)]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(exported / "services" / FILE.format("layHoSo")),
            *options,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0 and "warning" not in (result.stdout + result.stderr).lower(), (
        result.stdout + result.stderr
    )
    sys.path.insert(0, str(tmp_path))
    try:
        client_module = importlib.import_module("hoso_client")
        call = importlib.import_module("hoso_client.api.default.lay_ho_so")
        with client_module.Client(base_url=f"{contract_hub.url}/r1/{LGSP}/layHoSo") as client:  # the document's server
            found = call.sync_detailed("000.00.00.H29-251121-0007", client=client, x_road_client=MOTCUA)
            refused = call.sync_detailed("H29-1", client=client, x_road_client=MOTCUA)
    finally:
        sys.path.remove(str(tmp_path))
        for module in [m for m in sys.modules if m.split(".")[0] == "hoso_client"]:
            del sys.modules[module]
    # the example topology is stateful and nothing was created: the contract's own 404, read as its Loi
    assert found.status_code == 404 and type(found.parsed).__name__ == "Loi"
    assert found.parsed.mo_ta == "Không tìm thấy hồ sơ"
    assert refused.status_code == 400
    assert json.loads(refused.content)["violations"][0]["pointer"] == "/maHoSo"


_SOURCE = yaml.safe_load((EXAMPLE / "hoso-openapi.yaml").read_text(encoding="utf-8"))


def _contract_service_test(code: str) -> Any:
    document = json.loads(json.dumps(_SOURCE))
    plugins = installed()
    registry = load_registry(EXAMPLE / "topology.yaml", plugins.adapters, plugins.simulators)
    service = next(s for s in registry.services.values() if s.id.service_code == code)
    assert service.contract is not None and service.contract.document == document
    schema = schemathesis.openapi.from_dict(contract_openapi(service, service.contract), config=fuzz_config())

    @schema.parametrize()
    @fuzz_settings(25)
    def test(case: schemathesis.Case[Any], contract_hub: HubHandle) -> None:
        call_service(case, f"{contract_hub.url}/r1/{LGSP}/{code}")  # X-Road's rules, as in test_fuzz_openapi

    return test


test_schemathesis_fuzzes_taoHoSo_with_its_export = _contract_service_test("taoHoSo")
test_schemathesis_fuzzes_layHoSo_with_its_export = _contract_service_test("layHoSo")
test_schemathesis_fuzzes_layLinhVuc_with_its_export = _contract_service_test("layLinhVuc")


def _topology_with(tmp_path: Path, name: str, document: dict[str, Any]) -> str:
    (tmp_path / f"{name}-openapi.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    topology = yaml.safe_load((EXAMPLE / "topology.yaml").read_text(encoding="utf-8"))
    for service in topology["agencies"][0]["subsystems"][0]["services"]:
        service["contract"] = f"{name}-openapi.yaml"
    (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(topology, allow_unicode=True), encoding="utf-8")
    return str(tmp_path / f"{name}.yaml")


def test_contract_diff_of_two_topologies_reads_each_contract_services_own_operation(tmp_path: Path) -> None:
    new = copy.deepcopy(_SOURCE)
    new["components"]["schemas"]["HoSoMoi"]["required"].append("ghiChu")  # breaks taoHoSo's clients
    new["paths"]["/danhmuc/linhvuc"]["get"]["parameters"].append(
        {"name": "ngonNgu", "in": "query", "required": False, "schema": {"type": "string"}}
    )
    old_file, new_file = _topology_with(tmp_path, "old", _SOURCE), _topology_with(tmp_path, "new", new)
    result = run_cli("contract", "diff", "--topologies", "--format", "json", old_file, new_file)
    assert result.returncode == 1, result.stdout + result.stderr
    changes = {(c["breaking"], c["kind"], c["where"]) for c in json.loads(result.stdout)["changes"]}
    assert (True, "became_required", f"POST /r1/{LGSP}/taoHoSo/hoso body/ghiChu") in changes
    assert (True, "became_required", "POST /hosoDatDai/1.0/taoHoSo/hoso body/ghiChu") in changes
    assert (False, "parameter_added", f"GET /r1/{LGSP}/layLinhVuc/danhmuc/linhvuc query ngonNgu") in changes
    same = run_cli("contract", "diff", "--topologies", old_file, _topology_with(tmp_path, "same", _SOURCE))
    assert same.returncode == 0 and "no change in the contract" in same.stdout, same.stdout + same.stderr
