"""``ngsp-sim export openapi``: every exported document is valid OpenAPI 3.1 by an independent
validator (openapi-spec-validator), and every JSON Schema is a valid 2020-12 schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from tests.processes import run_cli


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("contracts")
    result = run_cli("export", "openapi", str(out))
    assert result.returncode == 0, result.stderr
    assert "wrote 34 service documents" in result.stdout
    return out


def test_every_service_document_is_valid_openapi_31(exported: Path) -> None:
    documents = sorted((exported / "services").glob("*.openapi.json"))
    assert len(documents) == 34
    for path in documents:
        document = json.loads(path.read_text())
        assert document["openapi"] == "3.1.0"
        validate(document)  # raises on any problem


def test_the_admin_api_document_is_valid_openapi_31(exported: Path) -> None:
    document = json.loads((exported / "admin.openapi.json").read_text())
    validate(document)
    assert "/api/v1/subscriptions" in document["paths"]


def test_xml_services_say_so(exported: Path) -> None:
    document = json.loads((exported / "services/VN_GOV_000.00.00.G22_VDXP_sendEdoc.openapi.json").read_text())
    assert "text/xml" in document["paths"]["/sendEdoc"]["post"]["requestBody"]["content"]


def test_every_payload_schema_is_a_valid_json_schema(exported: Path) -> None:
    schemas = sorted((exported / "schemas").glob("*.schema.json"))
    assert len(schemas) >= 40
    for path in schemas:
        Draft202012Validator.check_schema(json.loads(path.read_text()))
    lookup = json.loads((exported / "schemas/TraCuuThongTinCongDanRequest.schema.json").read_text())
    Draft202012Validator(lookup).validate(
        {
            "MaYeuCau": "1",
            "MaDVC": "1.001612",
            "MaTichHop": "037",
            "MaCanBo": "x",
            "MaDonVi": "000.00.00.H29",
            "SoDinhDanh": "079090001234",
        }
    )
