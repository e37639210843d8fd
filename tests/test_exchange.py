"""The document axis through the hub, over real sockets: edXML validation, mailboxes, anti-spoofing,
status round trips, recalls, attachments, dossier status events and the live feed."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
import io
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from adapters.base import NativeRequest
from adapters.edxml import read_envelope
from ngsp_sim.exchange.signing import KEY_HEADER, SIGNATURE_HEADER, verify
from ngsp_sim.hub.runtime import HUB
from schemas.edxml import ATTACHMENT_LIMIT, Edoc, StatusEnvelope
from tests.edxml_helpers import G01, H29, H56, QLVB, VDXP, edoc, reply_for, status_of
from tests.helpers import ADMIN_TOKEN as ADMIN
from tests.helpers import MakeHub
from tests.test_interlinked import APPLICATION, PORTAL, THANH_HOA_ONE_STOP

XML = {"Content-Type": "text/xml; charset=utf-8"}


async def send(hub: Any, sender: dict[str, str], body: bytes, client: str | None = None) -> Any:
    headers = {**XML, "X-Road-Client": client or QLVB[sender["OrganId"]]}
    return await hub.post(f"/r1/{VDXP}/sendEdoc", data=body, headers=headers)


async def mailbox(hub: Any, organ: str) -> list[dict[str, Any]]:
    resp = await hub.get(f"/r1/{VDXP}/getReceivedEdocList", headers={"X-Road-Client": QLVB[organ]})
    assert resp.status == 200
    data: list[dict[str, Any]] = (await resp.json())["data"]
    return data


async def settle(hub: Any, rounds: int = 50) -> None:
    """Deliver until nothing is due (bounded), in the test's own task: the background worker is
    stopped first so that no delivery is in flight elsewhere."""
    worker = hub.server.app[HUB].exchange.worker
    await worker.stop()
    for _ in range(rounds):
        if not await worker.run_once():
            return


async def test_a_document_to_several_agencies_lands_in_each_mailbox(hub: TestClient[Any, Any]) -> None:
    resp = await send(hub, G01, edoc(G01, [H29, H56]))
    assert resp.status == 200, await resp.text()
    answer = await resp.json()
    assert answer["recipients"] == ["000.00.00.H29", "000.00.00.H56"]
    for organ in ("000.00.00.H29", "000.00.00.H56"):
        assert [m["docId"] for m in await mailbox(hub, organ) if m["kind"] == "edoc"] == [answer["docId"]]
    assert await mailbox(hub, "000.00.00.G01") == []


async def test_getedoc_returns_the_bytes_as_sent_to_sender_and_recipients_only(hub: TestClient[Any, Any]) -> None:
    body = edoc(G01, [H29])
    doc_id = (await (await send(hub, G01, body)).json())["docId"]
    for organ in ("000.00.00.G01", "000.00.00.H29"):
        resp = await hub.get(f"/r1/{VDXP}/getEdoc", params={"docId": doc_id}, headers={"X-Road-Client": QLVB[organ]})
        assert resp.status == 200 and resp.content_type == "text/xml"
        assert await resp.read() == body
    resp = await hub.get(
        f"/r1/{VDXP}/getEdoc", params={"docId": doc_id}, headers={"X-Road-Client": QLVB[H56["OrganId"]]}
    )
    assert resp.status == 403 and (await resp.json())["status"] == "FAIL"


async def test_a_spoofed_sender_is_refused(hub: TestClient[Any, Any]) -> None:
    resp = await send(hub, G01, edoc(G01, [H56]), client=QLVB[H29["OrganId"]])
    assert resp.status == 403
    assert "000.00.00.G01 is not the sending agency 000.00.00.H29" in (await resp.json())["ErrorDesc"]
    assert await mailbox(hub, "000.00.00.H56") == []


async def test_edxml_violations_point_at_elements(hub: TestClient[Any, Any]) -> None:
    bad = edoc(G01, [H29, {"OrganId": "H29", "OrganName": "x"}], subject="x").replace(
        b"<edXML:Subject>x</edXML:Subject>", b""
    )
    resp = await send(hub, G01, bad)
    assert resp.status == 400
    body = await resp.json()
    assert body["type"] == "Client.SchemaViolation"
    pointers = {v["pointer"]: v["rule"] for v in body["violations"]}
    assert pointers["/edXMLEnvelope/edXMLHeader/MessageHeader/To[2]/OrganId"] == "agency_code"
    assert pointers["/edXMLEnvelope/edXMLHeader/MessageHeader/Subject"] == "missing"


async def test_edxml_body_must_be_safe_xml_of_the_right_namespace(hub: TestClient[Any, Any]) -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    resp = await send(hub, G01, bomb)
    assert resp.status == 400 and "refused for safety" in (await resp.json())["message"]
    resp = await send(hub, G01, b"<edXMLEnvelope/>")
    assert resp.status == 400 and "expects a <edXMLEnvelope> in namespace" in (await resp.json())["message"]
    resp = await hub.post(
        f"/r1/{VDXP}/sendEdoc",
        data=edoc(G01, [H29]),
        headers={"Content-Type": "application/json", "X-Road-Client": QLVB["000.00.00.G01"]},
    )
    assert resp.status == 400 and (await resp.json())["type"] == "Client.InvalidContentType"


async def test_attachments_are_checksummed_and_size_limited(hub: TestClient[Any, Any]) -> None:
    data = "Nội dung công văn".encode() * 100
    resp = await send(hub, G01, edoc(G01, [H29], attachments=[("cv.pdf", "application/pdf", data)]))
    digest = (await resp.json())["attachments"][0]
    assert digest == {"ContentId": "cid:1", "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    big = edoc(G01, [H29], attachments=[("big.bin", "application/octet-stream", b"\0" * (ATTACHMENT_LIMIT + 1))])
    resp = await hub.post(
        f"/r1/{VDXP}/sendEdoc", data=io.BytesIO(big), headers={**XML, "X-Road-Client": QLVB["000.00.00.G01"]}
    )
    assert resp.status == 400
    rules = {v["rule"] for v in (await resp.json())["violations"]}
    assert rules == {"edxml_attachment_size"}
    broken = edoc(G01, [H29], attachments=[("a", "text/plain", b"abc")]).replace(
        base64.b64encode(b"abc"), b"not*base64"
    )
    assert {v["rule"] for v in (await (await send(hub, G01, broken)).json())["violations"]} == {"edxml_base64"}


async def test_status_flows_back_to_the_sender_and_simulated_systems_answer(hub: TestClient[Any, Any]) -> None:
    doc_id = (await (await send(hub, G01, edoc(G01, [H29, H56]))).json())["docId"]
    await settle(hub)  # the simulated document systems of H29 and H56 receive and answer 01 then 03
    statuses = [(m["From"], m["StatusCode"]) for m in await mailbox(hub, "000.00.00.G01") if m["kind"] == "status"]
    assert sorted(statuses) == sorted(
        [("000.00.00.H29", "01"), ("000.00.00.H29", "03"), ("000.00.00.H56", "01"), ("000.00.00.H56", "03")]
    )
    store = hub.app[HUB].store.exchange
    assert await store.recipients(doc_id) == {"000.00.00.H29": "03", "000.00.00.H56": "03"}


async def test_status_rules(hub: TestClient[Any, Any]) -> None:
    await send(hub, G01, edoc(G01, [H29]))
    headers = {**XML, "X-Road-Client": QLVB["000.00.00.H56"]}
    resp = await hub.post(f"/r1/{VDXP}/updateStatus", data=status_of(reply_for(G01), H56, "03"), headers=headers)
    assert resp.status == 403 and "not a recipient" in (await resp.json())["ErrorDesc"]
    headers["X-Road-Client"] = QLVB["000.00.00.H29"]
    for code, text in (("13", "set by the axis"), ("15", "has not been recalled")):
        resp = await hub.post(f"/r1/{VDXP}/updateStatus", data=status_of(reply_for(G01), H29, code), headers=headers)
        assert resp.status == 400 and text in (await resp.json())["ErrorDesc"]
    resp = await hub.post(f"/r1/{VDXP}/updateStatus", data=status_of(reply_for(G01), H29, "07"), headers=headers)
    assert resp.status == 400
    assert (await resp.json())["violations"][0]["pointer"] == "/edXMLEnvelope/edXMLHeader/Status/StatusCode"


async def test_the_axis_takes_the_hubs_reading_of_a_document_and_reads_any_other_itself(
    hub: TestClient[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    body = edoc(G01, [H29])
    reading = read_envelope(body, Edoc)
    request = NativeRequest("POST", "/vdxp/sendEdoc", body=body, read=(body, reading))
    assert request.validated(Edoc) is reading and request.validated(StatusEnvelope) is None
    changed = dataclasses.replace(request, body=body[: len(body) // 2])  # e.g. a conformance run's mutation
    assert changed.validated(Edoc) is None

    def parsed_twice(body: bytes, model: type[Any]) -> Any:
        raise AssertionError("the axis parsed a document the hub had already read")

    monkeypatch.setattr("ngsp_sim.exchange.mailboxes.read_envelope", parsed_twice)
    assert (await send(hub, G01, body)).status == 200
    headers = {**XML, "X-Road-Client": QLVB["000.00.00.H29"]}
    resp = await hub.post(f"/r1/{VDXP}/updateStatus", data=status_of(reply_for(G01), H29, "03"), headers=headers)
    assert resp.status == 200, await resp.text()


async def test_a_recall_is_answered_15_and_the_copy_becomes_13(hub: TestClient[Any, Any]) -> None:
    doc_id = (await (await send(hub, G01, edoc(G01, [H29]))).json())["docId"]
    await settle(hub)
    recall = edoc(G01, [H29], business_type=1, reason="Ban hành nhầm")
    resp = await send(hub, G01, recall)
    assert resp.status == 200, await resp.text()
    await settle(hub)
    store = hub.app[HUB].store.exchange
    assert await store.recipients(doc_id) == {"000.00.00.H29": "13"}
    codes = [m["StatusCode"] for m in await mailbox(hub, "000.00.00.G01") if m["kind"] == "status"]
    assert codes[-1] == "15"
    nothing = edoc(G01, [H29], number="999", business_type=1)
    assert (await send(hub, G01, nothing)).status == 404


async def test_dossier_status_changes_are_pushed_signed_to_a_webhook_and_only_dead_ones_replay(
    hub: TestClient[Any, Any], aiohttp_server: Any
) -> None:
    received: list[tuple[bytes, dict[str, str]]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((await request.read(), dict(request.headers)))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    server = await aiohttp_server(app)
    auth = {"Authorization": f"Bearer {ADMIN}"}
    created = await hub.post(
        "/api/v1/subscriptions",
        json={"topic": "dossier-status:H56", "url": str(server.make_url("/hook"))},
        headers=auth,
    )
    assert created.status == 200
    secret = (await created.json())["secret"]
    listing = await (await hub.get("/api/v1/subscriptions", headers=auth)).text()
    assert secret not in listing
    resp = await hub.post(f"{THANH_HOA_ONE_STOP}/TiepNhanHoSo", json=APPLICATION, headers=PORTAL)
    assert resp.status == 200, await resp.text()
    await settle(hub)
    assert len(received) == 1
    body, headers = received[0]
    clock = hub.app[HUB].clock
    verify(secret, body, headers[SIGNATURE_HEADER], clock.now())
    event = orjson.loads(body)
    assert event["TrangThaiHoSo"] == 2 and event["DonViXuLy"] == "000.00.00.H56"
    assert headers[KEY_HEADER].endswith(":" + (await created.json())["id"])
    (done,) = (await (await hub.get("/api/v1/deliveries", headers=auth)).json())["deliveries"]
    refused = await hub.post("/api/v1/deliveries/replay", json={"ids": [done["id"], 999]}, headers=auth)
    assert refused.status == 404  # a delivered one, and one that never was, are named; nothing is replayed
    assert (await refused.json())["problems"] == ["no delivery 999", f"delivery {done['id']} is delivered, not dead"]


async def test_the_live_feed_streams_exchanges_and_documents_over_sse(hub: TestClient[Any, Any]) -> None:
    auth = {"Authorization": f"Bearer {ADMIN}"}
    stream = await hub.get("/api/v1/events", headers=auth)
    assert stream.status == 200 and stream.content_type == "text/event-stream"
    await send(hub, G01, edoc(G01, [H29]))
    await settle(hub)
    kinds: set[str] = set()
    async with asyncio.timeout(10):
        while not {"message", "edoc", "delivery"} <= kinds:
            line = (await stream.content.readline()).decode()
            if line.startswith("event: "):
                kinds.add(line.removeprefix("event: ").strip())
    stream.close()
    assert (await hub.get("/api/v1/events")).status == 401


async def test_a_simulated_ministry_sends_through_the_hub_and_provinces_answer(hub: TestClient[Any, Any]) -> None:
    runtime = hub.app[HUB]
    ministry = next(a for s, a in runtime.agencies.items() if str(s) == QLVB["000.00.00.G01"])
    request = NativeRequest("POST", "/qlvb/guiVanBan", body=orjson.dumps({"to": ["000.00.00.H29"], "subject": "Họp"}))
    answer = await ministry.handle(request)
    assert answer.status == 200, answer.body
    await settle(hub)
    assert [(s["From"], s["StatusCode"]) for s in ministry.statuses] == [
        ("000.00.00.H29", "01"),
        ("000.00.00.H29", "03"),
    ]
    province = next(a for s, a in runtime.agencies.items() if str(s) == QLVB["000.00.00.H29"])
    assert province.inbox[0]["Subject"] == "Họp"


async def test_subscriptions_from_the_topology_and_bad_ones_from_the_api(make_hub: MakeHub, tmp_path: Path) -> None:
    from ngsp_sim.registry.loader import demo_text

    text = demo_text() + (
        "\nsubscriptions:\n  - id: portal-h29\n    topic: dossier-status:H29\n"
        "    url: http://127.0.0.1:9/hook\n    secret: a-secret-of-sixteen-chars\n    max_attempts: 3\n"
    )
    hub = await make_hub(text)
    auth = {"Authorization": f"Bearer {ADMIN}"}
    subs = (await (await hub.get("/api/v1/subscriptions", headers=auth)).json())["subscriptions"]
    declared = {s["id"]: s for s in subs}
    assert declared["portal-h29"]["topic"] == "dossier-status:H29" and declared["portal-h29"]["source"] == "topology"
    assert "sim-000.00.00.H29-QLVB" in declared  # the simulated document systems subscribe themselves
    for bad in ({"topic": "nocolon", "url": "http://x/"}, {"topic": "edoc:X", "url": "ftp://x/"}, {"url": "http://x/"}):
        resp = await hub.post("/api/v1/subscriptions", json=bad, headers=auth)
        assert resp.status == 400, bad
    assert (await hub.delete("/api/v1/subscriptions/nope", headers=auth)).status == 404
