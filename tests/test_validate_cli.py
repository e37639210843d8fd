"""``ngsp-sim validate``: offline contract checks, as a user runs them (real processes)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.edxml_helpers import G01, H29, edoc
from tests.helpers import lookup_body
from tests.processes import run_cli

LOOKUP = "VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan"
SEND = "VN/GOV/000.00.00.G22/VDXP/sendEdoc"


def test_a_valid_payload_passes(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(lookup_body()))
    result = run_cli("validate", LOOKUP, str(good))
    assert result.returncode == 0 and "valid" in result.stdout


def test_every_violation_is_printed_with_its_location(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**lookup_body(), "SoDinhDanh": "999090001234", "Extra": 1}))
    result = run_cli("validate", LOOKUP, str(bad))
    assert result.returncode == 1
    assert "body/SoDinhDanh:" in result.stdout and "[cccd_province]" in result.stdout
    assert "body/Extra:" in result.stdout and "[extra_forbidden]" in result.stdout
    report = json.loads(run_cli("validate", LOOKUP, str(bad), "--format", "json").stdout)
    assert report["valid"] is False
    assert {(v["pointer"], v["rule"]) for v in report["violations"]} == {
        ("/SoDinhDanh", "cccd_province"),
        ("/Extra", "extra_forbidden"),
    }


def test_xml_services_are_checked_as_xml_with_element_paths(tmp_path: Path) -> None:
    doc = tmp_path / "cv.xml"
    doc.write_bytes(edoc(G01, [H29]))
    assert run_cli("validate", SEND, str(doc)).returncode == 0
    doc.write_bytes(edoc(G01, [{"OrganId": "bad"}]))
    report = json.loads(run_cli("validate", SEND, str(doc), "--format", "json").stdout)
    assert report["violations"][0]["pointer"] == "/edXMLEnvelope/edXMLHeader/MessageHeader/To[1]/OrganId"


def test_unusable_input_is_a_sentence_and_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    result = run_cli("validate", LOOKUP, str(broken))
    assert result.returncode == 2 and "not valid JSON" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("validate", "VN/GOV/000.00.00.G01/CSDLQGDC/Nope", str(broken))
    assert result.returncode == 2 and "TraCuuThongTinCongDan" in result.stderr
    result = run_cli("validate", LOOKUP, str(tmp_path / "missing.json"))
    assert result.returncode == 2 and "missing.json" in result.stderr
