"""Structured logs (masked personal data, exchange id bound) and message-log retention."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any, Protocol

import orjson
import pytest
from aiohttp.test_utils import TestClient

from ngsp_sim.clock import ManualClock
from ngsp_sim.config import MessageLogConfig
from ngsp_sim.hub.runtime import HUB
from ngsp_sim.logging import configure_logging, reset_logging
from ngsp_sim.monitoring.pii import PiiMasker, mask_text
from ngsp_sim.store import MessageQuery, verify_chain
from tests.helpers import MOTCUA, POPULATION, MakeHub, lookup_body


class LogLines(Protocol):
    """The ``log_lines`` fixture: configure JSON logging into a stream and return the stream."""

    def __call__(self, mask: bool = True) -> io.StringIO: ...


@pytest.fixture
def log_lines() -> Iterator[LogLines]:
    stream = io.StringIO()

    def configure(mask: bool = True) -> io.StringIO:
        configure_logging("info", json=True, stream=stream, mask_pii=mask)
        return stream

    yield configure
    reset_logging()


def _events(stream: io.StringIO) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


async def test_exchange_line_is_json_with_the_x_road_id(hub: TestClient[Any, Any], log_lines: LogLines) -> None:
    stream = log_lines()
    await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA, "X-Road-Id": "trace-77"})
    (event,) = [e for e in _events(stream) if e["event"] == "exchange"]
    assert event["xroad_id"] == "trace-77"
    assert event["status"] == 200 and event["client"] == MOTCUA
    assert event["level"] == "info" and event["timestamp"].endswith("Z")


async def test_personal_data_is_masked_in_log_lines(hub: TestClient[Any, Any], log_lines: LogLines) -> None:
    stream = log_lines()
    body = lookup_body(SoDinhDanh="07909000123", MaDonVi="0912345678")  # both echoed in violation messages
    await hub.post(POPULATION, json=body, headers={"X-Road-Client": MOTCUA})
    text = stream.getvalue()
    assert "07909000123" not in text and "079*****123" in text
    assert "0912345678" not in text and "091*****78" in text


async def test_masking_can_be_switched_off(hub: TestClient[Any, Any], log_lines: LogLines) -> None:
    stream = log_lines(mask=False)
    await hub.post(POPULATION, json=lookup_body(SoDinhDanh="07909000123"), headers={"X-Road-Client": MOTCUA})
    assert "07909000123" in stream.getvalue()


async def test_the_message_log_keeps_the_evidence_unmasked(hub: TestClient[Any, Any], log_lines: LogLines) -> None:
    log_lines()
    await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})
    runtime = hub.app[HUB]
    await runtime.message_log.flush()
    (m,) = await runtime.store.list_messages(MessageQuery())
    full = await runtime.store.get_message(m.id)
    assert b"079090001234" in full.client_request


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("079090001234", "079******234"),
        ("CMND 025123456", "CMND 025***456"),
        ("tel 0912345678", "tel 091*****78"),
        ("tel +84912345678", "tel +8491*****78"),
        ("an.nguyen@example.vn", "a***@example.vn"),
        ("NgayTiepNhan 20251121093000", "NgayTiepNhan 20251121093000"),
        ("MaHoSo 000.00.00.H29-251121-0001", "MaHoSo 000.00.00.H29-251121-0001"),
    ],
)
def test_mask_text(text: str, masked: str) -> None:
    assert mask_text(text) == masked


def test_name_fields_become_initials_at_any_depth() -> None:
    event = PiiMasker()(None, "info", {"event": "x", "data": [{"ChuHoSo": "Trần Thị Hoa", "MaHoSo": "abc"}]})
    assert event["data"] == [{"ChuHoSo": "T. T. H.", "MaHoSo": "abc"}]


async def test_retention_purges_old_records_and_keeps_the_chain(make_hub: MakeHub, clock: ManualClock) -> None:
    hub = await make_hub(message_log=MessageLogConfig(retention_days=1))
    runtime = hub.app[HUB]
    for _ in range(3):
        await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})
    await runtime.message_log.flush()
    clock.advance(2 * 86400)
    await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA, "X-Road-Id": "fresh"})
    await runtime.message_log.flush()
    assert await runtime.purge_expired() == 3
    remaining = await runtime.store.list_messages(MessageQuery())
    assert [m.record["messageId"] for m in remaining] == ["fresh"]
    assert (await verify_chain(runtime.store)).ok


async def test_retention_zero_keeps_everything(make_hub: MakeHub, clock: ManualClock) -> None:
    hub = await make_hub(message_log=MessageLogConfig(retention_days=0))
    await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})
    clock.advance(10 * 365 * 86400)
    assert await hub.app[HUB].purge_expired() == 0
