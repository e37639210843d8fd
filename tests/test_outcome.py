"""Where each exchange was decided and how it ended (``decidedBy``, ``outcome``), the same on the live
feed and in the message list: platform refusals stop at the hub, business refusals with HTTP 200 are
refusals, faults are failures."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from orjson import dumps

from ngsp_sim.hub.runtime import HUB
from ngsp_sim.monitoring.feed import read_events
from ngsp_sim.monitoring.outcome import judge, native_refusal
from tests.helpers import ADMIN, BUSINESS, HOTICH, MOTCUA, POPULATION, lookup_body, payment_init

PAY = "/r1/VN/GOV/000.00.00.G22/THANHTOAN/KhoiTaoGiaoDich"
CSDLQGDC = "VN/GOV/000.00.00.G01/CSDLQGDC"


async def test_each_exchange_says_who_decided_it_and_how_it_ended(hub: TestClient[Any, Any]) -> None:
    as_motcua = {"X-Road-Client": MOTCUA}
    async with asyncio.timeout(30), hub.get("/api/v1/events", headers=ADMIN) as feed:
        await hub.post(POPULATION, json=lookup_body(), headers=as_motcua)
        await hub.get(f"{BUSINESS}?msdn=0312345673", headers={"X-Road-Client": HOTICH})  # AccessDenied
        forged = await hub.post(PAY, json=payment_init("TT-9", secret="not-the-secret"), headers=as_motcua)
        assert forged.status == 200  # HTTP says all is well; the payment platform said 02
        fault = {"target": CSDLQGDC, "kind": "outage"}
        assert (await hub.put("/api/v1/faults/down", json=fault, headers=ADMIN)).status == 200
        await hub.post(POPULATION, json=lookup_body(), headers=as_motcua)
        seen, paths = [], []
        async for kind, data in read_events(feed.content):
            if kind == "message":
                seen.append((data["decidedBy"], data["outcome"]))
                paths.append(data["restPath"])  # the dashboard tells the wire styles apart by it
                if len(seen) == 4:
                    break
    expected = [
        (CSDLQGDC, "ok"),
        ("hub", "refused"),
        ("VN/GOV/000.00.00.G22/THANHTOAN", "refused"),
        (CSDLQGDC, "failed"),
    ]
    assert seen == expected
    assert paths == [POPULATION, BUSINESS, PAY, POPULATION]
    await hub.app[HUB].message_log.flush()
    page = await (await hub.get("/api/v1/messages", headers=ADMIN)).json()
    assert [(m["decidedBy"], m["outcome"]) for m in reversed(page["items"])] == expected


@pytest.mark.parametrize(
    ("answer", "refusal"),
    [
        ({"status": 0, "errorCode": 106, "message": "..."}, ("errorCode", "106")),
        ({"status": 1, "message": "Tiếp nhận thành công"}, None),
        ({"KetQua": 0, "MoTa": "..."}, ("KetQua", "0")),
        ({"KetQua": 1, "MaHoSo": "X"}, None),
        ({"MaLoi": "01"}, ("MaLoi", "01")),
        ({"error_code": 0, "result": []}, None),
        ({"error_code": "04"}, ("error_code", "04")),
        ({"STATUS": 0, "MESSAGE": "..."}, ("STATUS", "0")),
        ({"status": True}, None),
        ([1, 2], None),
    ],
)
def test_business_refusals_are_read_from_native_codes(answer: Any, refusal: tuple[str, str] | None) -> None:
    assert native_refusal(answer) == refusal
    # the feed judges the data the hub wrote the answer from; the message list judges the stored bytes
    given, read = judge({"statusCode": 200}, CSDLQGDC, b"", answer), judge({"statusCode": 200}, CSDLQGDC, dumps(answer))
    assert given == read == (CSDLQGDC, "refused" if refusal else "ok")


def test_an_answer_given_as_data_is_not_read_again() -> None:
    not_json = b"<not json>"  # were the bytes read, the answer would count as ok
    assert judge({"statusCode": 200}, CSDLQGDC, not_json, {"KetQua": 0}) == (CSDLQGDC, "refused")
    assert judge({"statusCode": 200}, CSDLQGDC, not_json) == (CSDLQGDC, "ok")
