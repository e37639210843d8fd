"""X-Road's protocol clause by clause (PR-REST, PR-MREST, PR-META), over a hub on a real socket.

Each test names the clause it checks; docs/xroad-compliance.md is the table these tests back.
"""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from typing import Any

import defusedxml.ElementTree
import orjson
import pytest
import yaml
from aiohttp.test_utils import TestClient

from ngsp_sim.hub.negotiation import asks_for_json, prefers_xml
from tests.helpers import (
    BUSINESS,
    MOTCUA,
    POPULATION,
    MakeHub,
    lookup_body,
    provider_topology,
    raw_request,
    token_for,
)

XROAD_NS = "{http://x-road.eu/xsd/xroad.xsd}"
ID_NS = "{http://x-road.eu/xsd/identifiers}"
DVCQG = "/r1/VN/GOV/000.00.00.G22/DVCQG"


# -- PR-REST 4.6: the hub's own errors respect Accept, q-values included, JSON by default ----------


@pytest.mark.parametrize(
    ("accept", "xml"),
    [
        ("", False),
        ("application/xml", True),
        ("text/xml", True),
        ("*/*", False),
        ("application/xml, */*", False),
        ("application/json;q=0.5, application/xml;q=0.9", True),
        ("application/xml;q=0.5, application/json", False),
        ("application/json;q=0, */*", True),
        ("application/xml;q=0", False),
        ("application/*;q=0.1, text/xml", True),
    ],
)
def test_error_format_follows_the_q_values(accept: str, xml: bool) -> None:
    assert prefers_xml(accept) is xml


async def test_an_error_body_is_xml_when_xml_is_rated_above_json(hub: TestClient[Any, Any]) -> None:
    accept = "application/json;q=0.2, application/xml;q=0.8"
    resp = await hub.post(POPULATION, json=lookup_body(), headers={"Accept": accept})  # no X-Road-Client
    assert resp.status == 400
    assert resp.content_type == "application/xml"
    root = defusedxml.ElementTree.fromstring(await resp.read())
    assert root.findtext("type") == resp.headers["X-Road-Error"] == "Client.InvalidClientIdentifier"


# -- PR-META 2 / PR-MREST 2: listClients ---------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "json"),
    [("", False), ("*/*", False), ("application/json", True), ("text/xml, application/json;q=0.5", False)],
)
def test_list_clients_answers_json_only_when_asked(accept: str, json: bool) -> None:
    assert asks_for_json(accept) is json


async def test_list_clients_defaults_to_text_xml_client_list(hub: TestClient[Any, Any]) -> None:
    resp = await hub.get("/listClients")
    assert resp.status == 200
    assert resp.content_type == "text/xml"
    root = defusedxml.ElementTree.fromstring(await resp.read())
    assert root.tag == f"{XROAD_NS}clientList"
    ids = [m.find(f"{XROAD_NS}id") for m in root.findall(f"{XROAD_NS}member")]
    assert all(ident is not None for ident in ids)
    assert {ident.get(f"{ID_NS}objectType") for ident in ids if ident is not None} == {"MEMBER", "SUBSYSTEM"}
    motcua = next(
        m for m in root.iter(f"{XROAD_NS}member") if m.findtext(f"{XROAD_NS}id/{ID_NS}subsystemCode") == "MOTCUA"
    )
    ident = motcua.find(f"{XROAD_NS}id")
    assert ident is not None
    assert [child.tag.removeprefix(ID_NS) for child in ident] == [
        "xRoadInstance",
        "memberClass",
        "memberCode",
        "subsystemCode",
    ]
    assert ident.findtext(f"{ID_NS}memberCode") == "000.00.00.H29"
    assert motcua.findtext(f"{XROAD_NS}name")  # the member's name ...
    assert motcua.findtext(f"{XROAD_NS}subsystemName")  # ... and the subsystem's


async def test_list_clients_answers_json_when_asked(hub: TestClient[Any, Any]) -> None:
    resp = await hub.get("/listClients", headers={"Accept": "application/json"})
    assert (resp.content_type, resp.charset) == ("application/json", "utf-8")
    body = await resp.json()
    motcua = next(m for m in body["member"] if m["id"].get("subsystem_code") == "MOTCUA")
    assert set(motcua) == {"id", "name", "subsystem_name"}
    assert motcua["id"]["object_type"] == "SUBSYSTEM"


async def test_list_clients_honours_the_instance_asked_for(hub: TestClient[Any, Any]) -> None:
    json = {"Accept": "application/json"}
    own = await (await hub.get("/listClients?xRoadInstance=VN", headers=json)).json()
    other = await (await hub.get("/listClients?xRoadInstance=EE", headers=json)).json()
    assert own["member"] and {m["id"]["xroad_instance"] for m in own["member"]} == {"VN"}
    assert other == {"member": []}


# -- PR-MREST 4 and 5: listMethods and getOpenAPI are regular X-Road calls, X-Road-Client mandatory ---


@pytest.mark.parametrize(
    "path",
    [
        f"{DVCQG}/listMethods",
        f"{DVCQG}/allowedMethods",
        "/r1/VN/GOV/000.00.00.G01/CSDLQGDC/getOpenAPI?serviceCode=TraCuuThongTinCongDan",
    ],
)
async def test_metaservices_need_the_client_header(hub: TestClient[Any, Any], path: str) -> None:
    without = await hub.get(path)
    assert without.status == 400
    assert without.headers["X-Road-Error"] == "Client.InvalidClientIdentifier"
    unknown = await hub.get(path, headers={"X-Road-Client": "VN/GOV/000.00.00.G99/NOBODY"})
    assert unknown.headers["X-Road-Error"] == "Server.ClientProxy.UnknownMember"
    answered = await hub.get(path, headers={"X-Road-Client": MOTCUA})
    assert answered.status == 200
    assert answered.charset == "utf-8"  # PR-REST 4.3: the server's own messages name their encoding


# -- PR-REST 4.3: X-Road-Client parts are UTF-8, each percent-encoded on its own ------------------


async def test_percent_encoded_client_parts_are_decoded(hub: TestClient[Any, Any]) -> None:
    encoded = "VN/GOV/000%2E00%2E00%2EH29/%4DOTCUA"  # 000.00.00.H29 / MOTCUA
    resp = await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": encoded})
    assert resp.status == 200
    assert resp.headers["X-Road-Client"] == MOTCUA


@pytest.mark.parametrize("claimed", ["VN/GOV/000.00.00.H29/MOT%2FCUA", "VN/GOV/000.00.00.H29/MOT%FFCUA"])
async def test_a_decoded_client_part_must_still_be_an_identifier(hub: TestClient[Any, Any], claimed: str) -> None:
    resp = await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": claimed})
    assert resp.status == 400
    assert resp.headers["X-Road-Error"] == "Client.InvalidClientIdentifier"


# -- PR-REST 4.3: X-Road-Request-Hash covers the request's head and body -------------------------


def _expected_hash(method: str, target: str, headers: list[tuple[str, str]], reply: dict[str, str], body: bytes) -> str:
    """The clause written out independently: base64 SHA512(SHA512(head) + SHA512(body)), SHA512(head)
    without a body; the head as NIIS's security server serialises it (a generated X-Road-Id last)."""
    head = f"{method}\r\n{target}\r\n" + "".join(f"{k}:{v}\r\n" for k, v in headers)
    head += f"X-Road-Request-Id:{reply['x-road-request-id']}\r\n"
    if "X-Road-Id" not in dict(headers):
        head += f"X-Road-Id:{reply['x-road-id']}\r\n"
    digest = hashlib.sha512(head.encode()).digest()
    if body:
        digest = hashlib.sha512(digest + hashlib.sha512(body).digest()).digest()
    return base64.b64encode(digest).decode()


async def test_request_hash_of_a_get_covers_its_head(hub: TestClient[Any, Any]) -> None:
    target = "/r1/VN/GOV/000.00.00.G12/CSDLDKDN/chiTietDoanhNghiep?msdn=0312345673"
    sent = [("X-Road-Client", MOTCUA), ("Accept", "application/json")]
    status, headers, _ = await raw_request(hub, "GET", target, dict(sent))
    assert status == 200
    assert headers["x-road-request-hash"] == _expected_hash("GET", target, sent, headers, b"")
    _, other, _ = await raw_request(hub, "GET", target.replace("0312345673", "0312345674"), dict(sent))
    assert other["x-road-request-hash"] != headers["x-road-request-hash"]  # no longer one hash for every GET


async def test_a_generated_message_id_is_the_instance_and_a_uuid(hub: TestClient[Any, Any]) -> None:
    """X-Road's client proxy generates ``{instance}-{UUID}`` when the caller sends no X-Road-Id."""
    resp = await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})
    instance, _, rest = resp.headers["X-Road-Id"].partition("-")
    assert instance == "VN" and str(uuid.UUID(rest)) == rest


async def test_request_hash_of_a_post_covers_head_and_body(hub: TestClient[Any, Any]) -> None:
    body = orjson.dumps(lookup_body())
    sent = [("X-Road-Client", MOTCUA), ("X-Road-Id", "my-id-1"), ("Content-Type", "application/json")]
    status, headers, _ = await raw_request(hub, "POST", POPULATION, dict(sent), body)
    assert status == 200
    expected = _expected_hash("POST", POPULATION, sent, headers, body)
    assert headers["x-road-request-hash"] == expected


# -- PR-REST 4.1, 4.3: a member may call as itself (the subsystem code is OPTIONAL in X-Road-Client) --

H29 = "VN/GOV/000.00.00.H29"


def _member_topology(grant_member: bool) -> str:
    rule = {"client": H29, "service": "VN/GOV/000.00.00.G12/CSDLDKDN/chiTietDoanhNghiep"}
    topology = yaml.safe_load(provider_topology())
    if grant_member:
        topology["access"].append(rule)
    return yaml.safe_dump(topology, allow_unicode=True)


async def test_a_member_level_client_with_its_own_right_is_served(make_hub: MakeHub) -> None:
    hub = await make_hub(_member_topology(grant_member=True))
    resp = await hub.get(f"{BUSINESS}?msdn=0312345673", headers={"X-Road-Client": H29})
    assert resp.status == 200
    assert resp.headers["X-Road-Client"] == H29
    listed = await hub.get("/r1/VN/GOV/000.00.00.G12/CSDLDKDN/allowedMethods", headers={"X-Road-Client": H29})
    assert [s["service_code"] for s in (await listed.json())["service"]] == ["chiTietDoanhNghiep"]


async def test_a_member_does_not_inherit_its_subsystems_rights(make_hub: MakeHub) -> None:
    hub = await make_hub(_member_topology(grant_member=False))
    resp = await hub.get(f"{BUSINESS}?msdn=0312345673", headers={"X-Road-Client": H29})
    assert resp.status == 500
    assert resp.headers["X-Road-Error"] == "Server.ServerProxy.AccessDenied"
    unknown = await hub.get(f"{BUSINESS}?msdn=0312345673", headers={"X-Road-Client": "VN/GOV/000.00.00.H99"})
    assert unknown.headers["X-Road-Error"] == "Server.ClientProxy.UnknownMember"


# -- PR-REST 2.3, 4.1: r1 is the only protocol version; five identifier parts name the service -----


async def test_only_r1_is_an_x_road_path(hub: TestClient[Any, Any]) -> None:
    resp = await hub.get("/r2/VN/GOV/000.00.00.G12/CSDLDKDN/chiTietDoanhNghiep?msdn=0312345673")
    assert resp.status == 404
    assert "X-Road-Error" not in resp.headers


async def test_a_service_path_without_a_subsystem_is_no_service_identifier(hub: TestClient[Any, Any]) -> None:
    resp = await hub.get("/r1/VN/GOV/000.00.00.G12/chiTietDoanhNghiep", headers={"X-Road-Client": MOTCUA})
    assert resp.status == 400
    assert resp.headers["X-Road-Error"] == "Client.InvalidServiceIdentifier"


async def test_metaservices_take_the_client_from_an_access_token_as_calls_do(hub: TestClient[Any, Any]) -> None:
    token = await token_for(hub)
    listed = await hub.get(f"{DVCQG}/listMethods", headers={"Authorization": f"Bearer {token}"})
    assert listed.status == 200
    refused = await hub.get(f"{DVCQG}/listMethods", headers={"Authorization": "Bearer not-a-token"})
    assert (refused.status, refused.headers["X-Road-Error"]) == (401, "Client.InvalidCredentials")


@pytest.mark.parametrize(
    "claimed",
    [
        MOTCUA,
        H29,
        "VN/GOV/000%2E00%2E00%2EH29/%4DOTCUA",
        "VN/GOV/000.00.00.H29/MOT%2FCUA",
        "VN/GOV/000.00.00.H29/MOT%7ECUA",
        "VN/GOV",
        "VN/GOV/000.00.00.H29/MOTCUA/extra",
    ],
)
async def test_the_published_client_pattern_says_what_the_hub_accepts(hub: TestClient[Any, Any], claimed: str) -> None:
    doc = await (
        await hub.get(
            f"{POPULATION.rsplit('/', 1)[0]}/getOpenAPI?serviceCode=TraCuuThongTinCongDan",
            headers={"X-Road-Client": MOTCUA},
        )
    ).json()
    (operation,) = doc["paths"].values()
    (param,) = [p for p in operation["post"]["parameters"] if p["name"] == "X-Road-Client"]
    published = re.fullmatch(param["schema"]["pattern"], claimed) is not None
    resp = await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": claimed})
    assert published == (resp.headers.get("X-Road-Error") != "Client.InvalidClientIdentifier")
