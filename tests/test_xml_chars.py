"""Characters XML cannot carry (issue 18, section 1): a control character in a string that is valid JSON
is refused as a violation naming the field when the provider speaks XML (instead of an envelope the
agency cannot parse), and every XML the hub writes itself stays well-formed."""

from __future__ import annotations

import json
from typing import Any

import defusedxml.ElementTree
import pytest
from aiohttp.test_utils import TestClient

from adapters.soap import SOAP_ENV, build_fault
from adapters.xml import render_xml, xml_text
from tests.helpers import MOTCUA, POPULATION, lookup_body

BHXH = "/r1/VN/GOV/000.00.19.G12/CSDLBHXH/getMaSoBhxhTheoTieuChi"
H = {"X-Road-Client": MOTCUA}


@pytest.mark.parametrize("char", ["\u0010", "\u0000", "\u001f", "\ufffe"])
async def test_a_control_character_bound_for_an_xml_provider_is_a_violation(
    hub: TestClient[Any, Any], char: str
) -> None:
    resp = await hub.post(POPULATION, json=lookup_body(MaYeuCau=f"YC{char}0001"), headers=H)
    assert (resp.status, resp.headers.get("X-Road-Error")) == (400, "Client.SchemaViolation"), await resp.text()
    (violation,) = (await resp.json())["violations"]
    assert (violation["pointer"], violation["rule"], violation["location"]) == ("/MaYeuCau", "xml_char", "body")
    assert f"U+{ord(char):04X}" in violation["message"]


@pytest.mark.parametrize("char", ["\ufffe", "\uffff"])
async def test_a_non_character_sent_unescaped_in_utf_8_is_a_violation_too(hub: TestClient[Any, Any], char: str) -> None:
    body = json.dumps(lookup_body(MaYeuCau=f"YC{char}0001"), ensure_ascii=False).encode()
    assert char.encode() in body  # raw bytes, not an escape: JSON may carry these two unescaped
    resp = await hub.post(POPULATION, data=body, headers={**H, "Content-Type": "application/json"})
    assert (resp.status, resp.headers.get("X-Road-Error")) == (400, "Client.SchemaViolation"), await resp.text()
    (violation,) = (await resp.json())["violations"]
    assert (violation["pointer"], violation["rule"]) == ("/MaYeuCau", "xml_char")


async def test_tab_line_feed_and_carriage_return_reach_an_xml_provider_as_sent(hub: TestClient[Any, Any]) -> None:
    """A carriage return is written ``&#13;``: a literal one (and CR LF) reaches a SOAP provider's parser
    as a line feed (XML 1.0 2.11), and the provider would echo other text than the hub checked."""
    sent = "YC\t0001\r\n2\r"
    resp = await hub.post(POPULATION, json=lookup_body(MaYeuCau=sent), headers=H)
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["MaYeuCau"] == sent  # the provider's echo, read back from its SOAP answer


def test_a_carriage_return_survives_the_xml_writer_and_a_parser() -> None:
    parts = ["<r xmlns:ns='urn:x'>"]
    render_xml(parts, {"HoVaTen": "L\r\nM\r"}, "ns")
    root = defusedxml.ElementTree.fromstring("".join(parts) + "</r>")
    assert root.findtext("{urn:x}HoVaTen") == "L\r\nM\r"


async def test_a_json_provider_is_given_the_character_as_json_carries_it(hub: TestClient[Any, Any]) -> None:
    query = {"hoTen": "Nguyễn Văn An\u0010", "ngaySinh": "19900515", "gioiTinh": 1, "maTinhKs": "79", "isKs": True}
    assert (await hub.post(BHXH, json=query, headers=H)).status == 200


async def test_an_xml_error_body_echoing_a_control_character_is_well_formed(hub: TestClient[Any, Any]) -> None:
    body = lookup_body(SoDinhDanh="0790900\u001001234")
    resp = await hub.post(POPULATION, json=body, headers={**H, "Accept": "application/xml"})
    assert resp.status == 400 and resp.content_type == "application/xml"
    root = defusedxml.ElementTree.fromstring(await resp.read())  # raises on a document that is not well-formed
    message = root.findtext("violations/violation/message") or ""
    assert "\\u0010" in message and "\u0010" not in message


def test_a_soap_fault_the_simulator_writes_is_well_formed() -> None:
    root = defusedxml.ElementTree.fromstring(build_fault("soapenv:Client", "bad \u0010 input \ufffe"))
    fault = root.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert fault is not None and fault.findtext("faultstring") == "bad \\u0010 input \\ufffe"


def test_the_xml_writer_refuses_what_xml_cannot_carry() -> None:
    with pytest.raises(ValueError, match="U\\+0010"):
        render_xml([], {"HoVaTen": "An\u0010"}, "ns")
    assert xml_text("tab\tand\u00e9") == "tab\tand\u00e9"
