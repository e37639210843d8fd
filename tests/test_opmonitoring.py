"""X-Road's operational-monitoring protocol (PR-OPMON) over a real socket: the answers are read by
independent parsers (the standard library's MIME parser, lxml against an XML schema written from the
protocol's schema fragments, jsonschema against the record fields the protocol lists)."""

from __future__ import annotations

import email.policy
import gzip
import importlib
import json
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from aiohttp.test_utils import TestClient

from ngsp_sim.clock import ManualClock
from ngsp_sim.hub import opmonitoring
from ngsp_sim.hub.opmonitoring import OUTPUT_FIELDS
from tests.helpers import HOTICH, MOTCUA, POPULATION, lookup_body, missing_tool, token_for

ID_XSD = """<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://x-road.eu/xsd/identifiers"
    xmlns:id="http://x-road.eu/xsd/identifiers" elementFormDefault="qualified" attributeFormDefault="qualified">
  <xs:simpleType name="ObjectType"><xs:restriction base="xs:string"/></xs:simpleType>
  <xs:complexType name="XRoadServiceIdentifierType">
    <xs:sequence>
      <xs:element name="xRoadInstance" type="xs:string"/>
      <xs:element name="memberClass" type="xs:string"/>
      <xs:element name="memberCode" type="xs:string"/>
      <xs:element name="subsystemCode" type="xs:string" minOccurs="0"/>
      <xs:element name="serviceCode" type="xs:string"/>
      <xs:element name="serviceVersion" type="xs:string" minOccurs="0"/>
    </xs:sequence>
    <xs:attribute name="objectType" type="id:ObjectType" use="required"/>
  </xs:complexType>
</xs:schema>
"""

OM_XSD = """<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://x-road.eu/xsd/op-monitoring.xsd"
    xmlns="http://x-road.eu/xsd/op-monitoring.xsd" xmlns:id="http://x-road.eu/xsd/identifiers"
    elementFormDefault="qualified">
  <xs:import namespace="http://x-road.eu/xsd/identifiers" schemaLocation="identifiers.xsd"/>
  <xs:element name="getSecurityServerOperationalDataResponse">
    <xs:complexType><xs:sequence>
      <xs:element name="recordsCount" type="xs:int"/>
      <xs:element name="records" type="xs:anyURI"/>
      <xs:element name="nextRecordsFrom" type="xs:long" minOccurs="0"/>
    </xs:sequence></xs:complexType>
  </xs:element>
  <xs:element name="getSecurityServerHealthDataResponse">
    <xs:complexType><xs:sequence>
      <xs:element name="monitoringStartupTimestamp" type="xs:long"/>
      <xs:element name="statisticsPeriodSeconds" type="xs:int"/>
      <xs:element name="servicesEvents"><xs:complexType><xs:sequence>
        <xs:element name="serviceEvents" minOccurs="0" maxOccurs="unbounded"><xs:complexType><xs:sequence>
          <xs:element name="service" type="id:XRoadServiceIdentifierType"/>
          <xs:element name="lastSuccessfulRequestTimestamp" type="xs:long" minOccurs="0"/>
          <xs:element name="lastUnsuccessfulRequestTimestamp" type="xs:long" minOccurs="0"/>
          <xs:element name="serviceType" type="xs:string" minOccurs="0"/>
          <xs:element name="lastPeriodStatistics"><xs:complexType><xs:sequence>
            <xs:element name="successfulRequestCount" type="xs:int"/>
            <xs:element name="unsuccessfulRequestCount" type="xs:int"/>
            <xs:element name="requestMinDuration" type="xs:long" minOccurs="0"/>
            <xs:element name="requestAverageDuration" type="xs:double" minOccurs="0"/>
            <xs:element name="requestMaxDuration" type="xs:long" minOccurs="0"/>
          </xs:sequence></xs:complexType></xs:element>
        </xs:sequence></xs:complexType></xs:element>
      </xs:sequence></xs:complexType></xs:element>
    </xs:sequence></xs:complexType>
  </xs:element>
</xs:schema>
"""

_INTEGER = {"requestInTs", "requestOutTs", "responseInTs", "responseOutTs", "monitoringDataTs", "statusCode"}
_INTEGER |= {f for f in OUTPUT_FIELDS if f.endswith(("Size", "Count"))}
RECORDS_SCHEMA = {
    "type": "object",
    "required": ["records"],
    "additionalProperties": False,
    "properties": {
        "records": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    f: {"type": "integer" if f in _INTEGER else "boolean" if f == "succeeded" else "string"}
                    for f in OUTPUT_FIELDS
                },
            },
        }
    },
}

ENVELOPE = """<?xml version="1.0" encoding="utf-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"
    xmlns:xroad="http://x-road.eu/xsd/xroad.xsd" xmlns:om="http://x-road.eu/xsd/op-monitoring.xsd"
    xmlns:id="http://x-road.eu/xsd/identifiers">
  <SOAP-ENV:Header>
    <xroad:client id:objectType="SUBSYSTEM">
      <id:xRoadInstance>VN</id:xRoadInstance><id:memberClass>GOV</id:memberClass>
      <id:memberCode>{member}</id:memberCode><id:subsystemCode>{subsystem}</id:subsystemCode>
    </xroad:client>
    <xroad:service id:objectType="SERVICE">
      <id:xRoadInstance>VN</id:xRoadInstance><id:memberClass>GOV</id:memberClass>
      <id:memberCode>000.00.00.G01</id:memberCode><id:serviceCode>{code}</id:serviceCode>
    </xroad:service>
    <xroad:id>opmon-test-1</xroad:id>
    <xroad:protocolVersion>4.0</xroad:protocolVersion>
  </SOAP-ENV:Header>
  <SOAP-ENV:Body>{body}</SOAP-ENV:Body>
</SOAP-ENV:Envelope>
"""

SOAP = "{http://schemas.xmlsoap.org/soap/envelope/}"
OM = "{http://x-road.eu/xsd/op-monitoring.xsd}"


def lxml() -> Any:
    try:
        return importlib.import_module("lxml.etree")
    except ImportError:
        missing_tool("lxml is not installed (it comes with zeep, a test extra)")


@pytest.fixture
def schema(tmp_path: Path) -> Any:
    etree = lxml()
    (tmp_path / "identifiers.xsd").write_text(ID_XSD)
    (tmp_path / "op-monitoring.xsd").write_text(OM_XSD)
    return etree.XMLSchema(etree.parse(str(tmp_path / "op-monitoring.xsd")))


def envelope(code: str, body: str, client: str = MOTCUA) -> str:
    _, _, member, subsystem = client.split("/")
    return ENVELOPE.format(code=code, body=body, member=member, subsystem=subsystem)


def operational_query(since: int, until: int, extra: str = "", client: str = MOTCUA) -> str:
    body = (
        f"<om:getSecurityServerOperationalData><om:searchCriteria><om:recordsFrom>{since}</om:recordsFrom>"
        f"<om:recordsTo>{until}</om:recordsTo></om:searchCriteria>{extra}</om:getSecurityServerOperationalData>"
    )
    return envelope("getSecurityServerOperationalData", body, client)


async def query(hub: TestClient[Any, Any], envelope: str, token: str | None = None) -> tuple[int, str, bytes]:
    headers = {"Content-Type": "text/xml; charset=utf-8"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    response = await hub.post("/", data=envelope.encode(), headers=headers)
    return response.status, response.headers["Content-Type"], await response.read()


def mime(content_type: str, body: bytes) -> Any:
    """The answer as the standard library's MIME parser reads it."""
    return BytesParser(policy=email.policy.HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)


def soap_body(document: bytes, schema: Any) -> Any:
    envelope = lxml().fromstring(document)
    header = envelope.find(f"{SOAP}Header")
    assert header.find("{http://x-road.eu/xsd/xroad.xsd}id").text == "opmon-test-1"
    assert header.find("{http://x-road.eu/xsd/xroad.xsd}requestHash") is not None
    answer = envelope.find(f"{SOAP}Body")[0]
    schema.assertValid(answer)
    return answer


async def test_operational_data_in_a_window_in_protocol_form(
    hub: TestClient[Any, Any], clock: ManualClock, schema: Any
) -> None:
    start = int(clock.now())
    for _ in range(2):
        assert (await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})).status == 200
    clock.advance(120)
    late = await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})
    assert late.status == 200

    status, content_type, body = await query(hub, operational_query(start, start + 60))
    assert status == 200
    message = mime(content_type, body)
    assert message.get_content_type() == "multipart/related"
    assert message.get_param("type") == "text/xml"
    soap, payload = message.iter_parts()
    answer = soap_body(soap.get_payload(decode=True), schema)
    assert answer.tag == f"{OM}getSecurityServerOperationalDataResponse"
    assert answer.find(f"{OM}recordsCount").text == "2"
    assert answer.find(f"{OM}nextRecordsFrom") is None  # the window is in the past, all of it answered
    assert payload.get_content_type() == "application/gzip"
    assert answer.find(f"{OM}records").text == "cid:" + payload["Content-ID"].strip("<>")
    records = json.loads(gzip.decompress(payload.get_payload(decode=True)))
    jsonschema.validate(records, RECORDS_SCHEMA)
    assert len(records["records"]) == 2
    first = records["records"][0]
    assert first["serviceCode"] == "TraCuuThongTinCongDan"
    assert first["clientSubsystemCode"] == "MOTCUA"
    assert first["succeeded"] is True
    assert start <= first["monitoringDataTs"] <= start + 60  # seconds, as the protocol has it

    clock.advance(1)  # the second of the last exchange is over: its records can all be answered
    status, content_type, body = await query(
        hub,
        operational_query(
            start,
            int(clock.now()) + 3600,
            "<om:outputSpec><om:outputField>messageId</om:outputField>"
            "<om:outputField>succeeded</om:outputField></om:outputSpec>",
        ),
    )
    message = mime(content_type, body)
    soap, payload = message.iter_parts()
    answer = soap_body(soap.get_payload(decode=True), schema)
    assert answer.find(f"{OM}recordsCount").text == "3"
    assert int(answer.find(f"{OM}nextRecordsFrom").text) == int(clock.now())  # recordsTo was not over yet
    records = json.loads(gzip.decompress(payload.get_payload(decode=True)))["records"]
    assert {tuple(sorted(r)) for r in records} == {("messageId", "succeeded")}


async def test_health_data_in_protocol_form(hub: TestClient[Any, Any], clock: ManualClock, schema: Any) -> None:
    assert (await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})).status == 200
    body = "<om:getSecurityServerHealthData/>"
    status, content_type, document = await query(hub, envelope("getSecurityServerHealthData", body))
    assert status == 200 and content_type.startswith("text/xml")
    answer = soap_body(document, schema)
    assert answer.find(f"{OM}statisticsPeriodSeconds").text == "600"
    events = answer.find(f"{OM}servicesEvents")
    codes = [e.find(f"{OM}service/{{http://x-road.eu/xsd/identifiers}}serviceCode").text for e in events]
    assert "TraCuuThongTinCongDan" in codes
    population = events[codes.index("TraCuuThongTinCongDan")]
    assert population.find(f"{OM}lastPeriodStatistics/{OM}successfulRequestCount").text == "1"
    for named, expected in (("VN/GOV/000.00.00.G01/CSDLQGDC", ["TraCuuThongTinCongDan"]), (HOTICH, [])):
        _, _, member, subsystem = named.split("/")
        body = "<om:getSecurityServerHealthData><om:filterCriteria><om:client id:objectType='SUBSYSTEM'>"
        body += f"<id:xRoadInstance>VN</id:xRoadInstance><id:memberClass>GOV</id:memberClass><id:memberCode>{member}"
        body += f"</id:memberCode><id:subsystemCode>{subsystem}</id:subsystemCode></om:client></om:filterCriteria>"
        body += "</om:getSecurityServerHealthData>"
        _, _, document = await query(hub, envelope("getSecurityServerHealthData", body))
        events = soap_body(document, schema).find(f"{OM}servicesEvents")
        found = {e.find(f"{OM}service/{{http://x-road.eu/xsd/identifiers}}serviceCode").text for e in events}
        assert set(expected) <= found and all(
            e.find(f"{OM}service/{{http://x-road.eu/xsd/identifiers}}subsystemCode").text == subsystem for e in events
        )


async def records_of(hub: TestClient[Any, Any], query_text: str, schema: Any) -> tuple[Any, list[dict[str, Any]]]:
    status, content_type, body = await query(hub, query_text)
    assert status == 200
    soap, payload = mime(content_type, body).iter_parts()
    answer = soap_body(soap.get_payload(decode=True), schema)
    return answer, json.loads(gzip.decompress(payload.get_payload(decode=True)))["records"]


async def test_a_client_sees_its_own_exchanges_and_pages_continue(
    hub: TestClient[Any, Any], clock: ManualClock, schema: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = int(clock.now())
    for _ in range(3):
        assert (await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})).status == 200
        clock.advance(10)
    until = int(clock.now()) - 1
    _, others = await records_of(hub, operational_query(start, until, client=HOTICH), schema)
    assert others == []  # HOTICH took part in none of them
    provider = "VN/GOV/000.00.00.G01/CSDLQGDC"
    _, seen = await records_of(hub, operational_query(start, until, client=provider), schema)
    assert len(seen) == 3  # the provider sees the exchanges it served
    for named, count in ((provider, 3), (HOTICH, 0)):  # searchCriteria/client: the service provider
        _, _, member, subsystem = named.split("/")
        wanted = "<om:client id:objectType='SUBSYSTEM'><id:xRoadInstance>VN</id:xRoadInstance>"
        wanted += f"<id:memberClass>GOV</id:memberClass><id:memberCode>{member}</id:memberCode>"
        wanted += f"<id:subsystemCode>{subsystem}</id:subsystemCode></om:client>"
        filtered = operational_query(start, until).replace("</om:recordsTo>", "</om:recordsTo>" + wanted)
        assert len((await records_of(hub, filtered, schema))[1]) == count

    monkeypatch.setattr(opmonitoring, "MAX_RECORDS", 2)
    answer, first = await records_of(hub, operational_query(start, until), schema)
    assert len(first) == 2
    next_from = int(answer.find(f"{OM}nextRecordsFrom").text)
    assert next_from == first[-1]["monitoringDataTs"] + 1
    answer, rest = await records_of(hub, operational_query(next_from, until), schema)
    assert len(rest) == 1 and answer.find(f"{OM}nextRecordsFrom") is None
    assert {r["messageId"] for r in first + rest} == {r["messageId"] for r in seen}


@pytest.mark.parametrize(
    ("since", "until", "message"),
    [
        (20, 10, "Records to timestamp is earlier than records from timestamp"),
        (-1, 10, "Records from timestamp is a negative number"),
        (4_000_000_000, 4_000_000_001, "Records not available from 4000000000 yet"),
    ],
)
async def test_a_malformed_query_gets_a_soap_fault(
    hub: TestClient[Any, Any], since: int, until: int, message: str
) -> None:
    status, content_type, document = await query(hub, operational_query(since, until))
    assert status == 500 and content_type.startswith("text/xml")
    fault = lxml().fromstring(document).find(f"{SOAP}Body/{SOAP}Fault")
    assert (fault.find("faultcode").text, fault.find("faultstring").text) == ("Client.InvalidRequest", message)
    status, _, document = await query(hub, "<!DOCTYPE x [<!ENTITY e 'boom'>]><x>&e;</x>")
    assert status == 500  # defusedxml refuses entity declarations
    assert lxml().fromstring(document).find(f"{SOAP}Body/{SOAP}Fault/faultcode").text == "Client.InvalidRequest"


def fault_of(document: bytes) -> tuple[str, str]:
    fault = lxml().fromstring(document).find(f"{SOAP}Body/{SOAP}Fault")
    return fault.find("faultcode").text, fault.find("faultstring").text


async def test_the_asking_client_must_be_registered_and_match_its_token(hub: TestClient[Any, Any]) -> None:
    status, _, document = await query(hub, operational_query(10, 20, client="VN/GOV/000.00.00.H29/MOTCUAX"))
    assert status == 500
    code, message = fault_of(document)
    assert code == "Server.ClientProxy.UnknownMember" and "MOTCUAX" in message
    token = await token_for(hub)  # MOTCUA's
    assert (await query(hub, operational_query(10, 20), token))[0] == 200
    status, _, document = await query(hub, operational_query(10, 20, client=HOTICH), token)
    assert status == 500 and fault_of(document)[0] == "Client.InvalidClientIdentifier"
    status, _, document = await query(hub, operational_query(10, 20), "not-a-token")
    assert status == 500 and fault_of(document)[0] == "Client.InvalidCredentials"
