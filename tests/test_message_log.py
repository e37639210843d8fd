"""Every exchange leaves one message-log record: op-monitoring fields, bodies on both sides of the
adapter, violations; written off the request path in batches."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from ngsp_sim.config import MessageLogConfig
from ngsp_sim.hub.runtime import HUB
from ngsp_sim.monitoring.message_log import MessageLog
from ngsp_sim.registry.loader import demo_text
from ngsp_sim.store import MessageEntry, MessageQuery, SqliteStore
from tests.helpers import ADMIN, HOTICH, MOTCUA, POPULATION, SYNC, MakeHub, dossier, lookup_body

OP_MONITORING_FIELDS = set(
    [
        "monitoringDataTs",
        "securityServerType",
        "requestInTs",
        "requestOutTs",
        "responseInTs",
        "responseOutTs",
        "clientXRoadInstance",
        "clientMemberClass",
        "clientMemberCode",
        "clientSubsystemCode",
        "serviceXRoadInstance",
        "serviceMemberClass",
        "serviceMemberCode",
        "serviceSubsystemCode",
        "serviceCode",
        "serviceVersion",
        "restMethod",
        "restPath",
        "messageId",
        "messageUserId",
        "messageIssue",
        "requestSize",
        "responseSize",
        "succeeded",
        "serviceType",
        "faultCode",
        "faultString",
        "statusCode",
    ]
)


async def _records(hub: Any) -> list[Any]:
    runtime = hub.server.app[HUB]
    await runtime.message_log.flush()
    items = await runtime.store.list_messages(MessageQuery(limit=500))
    return [await runtime.store.get_message(m.id) for m in items]


async def test_one_record_per_exchange_with_both_sides_of_the_adapter(hub: TestClient[Any, Any]) -> None:
    resp = await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA, "X-Road-Id": "log-1"})
    assert resp.status == 200
    (m,) = await _records(hub)
    ours = {
        "traceId",
        "providerMethod",
        "providerPath",
        "providerStatus",
        "decidingTier",
    }  # documented fields of our own
    assert set(m.record) == OP_MONITORING_FIELDS | ours
    assert m.record["messageId"] == "log-1"
    assert m.record["serviceCode"] == "TraCuuThongTinCongDan"
    assert m.record["clientMemberCode"] == "000.00.00.H29"
    assert m.record["succeeded"] is True and m.record["statusCode"] == 200
    assert m.record["requestInTs"] <= m.record["requestOutTs"] <= m.record["responseInTs"] <= m.record["responseOutTs"]
    assert m.client == MOTCUA and m.service.endswith("/TraCuuThongTinCongDan")
    assert b'"SoDinhDanh": "079090001234"' in m.client_request  # exactly as the client sent it
    assert (
        m.provider_request.startswith(b"<?xml") and b"<ns:SoDinhDanh>079090001234</ns:SoDinhDanh>" in m.provider_request
    )
    assert b"TraCuuThongTinCongDanResponse" in m.provider_response
    assert b'"CongdanCollection"' in m.client_response
    assert m.record["requestSize"] == len(m.client_request)


async def test_failures_are_logged_with_fault_and_violations(hub: TestClient[Any, Any]) -> None:
    await hub.post(POPULATION, json=lookup_body(SoDinhDanh="999090001234"), headers={"X-Road-Client": MOTCUA})
    await hub.post(SYNC, json={"isUpdating": False, "data": [dossier()]}, headers={"X-Road-Client": HOTICH})
    denied, invalid = await _records(hub)
    assert invalid.record["faultCode"] == "Client.SchemaViolation" and invalid.record["succeeded"] is False
    assert invalid.violations == [
        {
            "location": "body",
            "pointer": "/SoDinhDanh",
            "rule": "cccd_province",
            "message": invalid.violations[0]["message"],
        }
    ]
    assert invalid.provider_request is None  # it never reached the provider
    assert denied.record["faultCode"] == "Server.ServerProxy.AccessDenied"


async def test_unidentified_requests_are_logged_too(hub: TestClient[Any, Any]) -> None:
    await hub.post(POPULATION, json=lookup_body())
    (m,) = await _records(hub)
    assert m.client is None and m.record["faultCode"] == "Client.InvalidClientIdentifier"


async def test_bodies_are_capped_and_marked_truncated(make_hub: MakeHub) -> None:
    hub = await make_hub(message_log=MessageLogConfig(body_limit=64, oversize="truncate"))
    await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})
    (m,) = await _records(hub)
    assert m.truncated is True
    assert len(m.client_response) == 64 and len(m.provider_request) == 64


async def test_body_logging_can_be_switched_off_per_subsystem(make_hub: MakeHub) -> None:
    quiet = demo_text().replace(
        "        simulator: population\n", "        simulator: population\n        log_bodies: false\n"
    )
    hub = await make_hub(quiet)
    await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})
    (m,) = await _records(hub)
    assert m.record["succeeded"] is True
    assert (m.client_request, m.provider_request, m.provider_response, m.client_response) == (None,) * 4


async def test_credentials_never_reach_the_message_log(make_hub: MakeHub) -> None:
    wrong = demo_text().replace("password: demo-dvcqg-password", "password: wrong-secret-1234")
    for topology in (None, wrong):
        hub = await make_hub(topology)
        await hub.post(SYNC, json={"isUpdating": False, "data": [dossier()]}, headers={"X-Road-Client": MOTCUA})
        for m in await _records(hub):
            for body in (m.provider_request, m.provider_response, m.client_response):
                assert b"demo-dvcqg-password" not in (body or b"") and b"wrong-secret" not in (body or b"")


async def test_message_log_off_stores_nothing(make_hub: MakeHub) -> None:
    hub = await make_hub(message_log=MessageLogConfig(enabled=False))
    await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})
    runtime = hub.app[HUB]
    assert runtime.message_log is None
    assert await runtime.store.list_messages(MessageQuery()) == []


def _entry(n: int) -> MessageEntry:
    return MessageEntry({"messageId": f"m{n}", "requestInTs": n, "responseOutTs": n + 1, "succeeded": True})


class FlakyStore(SqliteStore):
    """Fails the first write, as a database that is briefly unreachable would."""

    def __init__(self) -> None:
        super().__init__(":memory:")
        self.failures = 1

    async def append_messages(self, entries: Any) -> None:
        if self.failures:
            self.failures -= 1
            raise OSError("database unreachable")
        await super().append_messages(entries)


async def test_a_failed_write_loses_nothing() -> None:
    store = FlakyStore()
    await store.open()
    writer = MessageLog(store, MessageLogConfig(batch_size=10))
    for n in range(25):
        writer.submit(_entry(n))
    with pytest.raises(OSError):
        await writer.flush()
    assert writer.pending == 25
    await writer.flush()
    assert writer.pending == 0 and writer.written == 25
    stored = await store.list_messages(MessageQuery(limit=100))
    assert [m.record["messageId"] for m in reversed(stored)] == [f"m{n}" for n in range(25)]
    await store.close()


async def test_the_writer_flushes_by_itself_on_shutdown(tmp_path: Path, make_hub: MakeHub) -> None:
    store = SqliteStore(tmp_path / "hub.sqlite3")
    hub = await make_hub(store=store, message_log=MessageLogConfig(flush_interval=3600))
    await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})
    await hub.close()  # stops the app: the writer writes what is queued
    reopened = SqliteStore(tmp_path / "hub.sqlite3")
    await reopened.open()
    assert len(await reopened.list_messages(MessageQuery())) == 1
    await reopened.close()


async def test_a_failure_hidden_by_editing_columns_is_named_and_the_next_exchange_is_still_logged(
    tmp_path: Path, make_hub: MakeHub
) -> None:
    """The attack of issue 15 (finding 4) against a running hub: a failed exchange made to vanish from
    ``?succeeded=false`` by editing its columns in the database; ``messages-verify`` names it, and the
    hub goes on serving and logging. The key file sits in the data directory, private."""
    hub = await make_hub(data_dir=tmp_path)
    assert (tmp_path / "message-log.key").stat().st_mode & 0o777 == 0o600
    headers = {"X-Road-Client": MOTCUA}
    await hub.post(POPULATION, json=lookup_body(), headers={**headers, "X-Road-Id": "good"})
    bad = await hub.post(POPULATION, json={"nothing": 1}, headers={**headers, "X-Road-Id": "bad"})
    assert bad.status == 400
    runtime = hub.app[HUB]
    await runtime.message_log.flush()
    (failed,) = await runtime.store.list_messages(MessageQuery(succeeded=False))
    await runtime.store.writer.execute(
        "UPDATE messages SET succeeded = 1, status_code = 200 WHERE id = ?", (failed.id,)
    )
    assert await runtime.store.list_messages(MessageQuery(succeeded=False)) == []

    report = await (await hub.get("/api/v1/messages-verify", headers=ADMIN)).json()
    assert report["ok"] is False and report["broken_id"] == failed.id
    assert "its succeeded column says True but the sealed record says False" in report["reason"]
    after = await hub.post(POPULATION, json=lookup_body(), headers={**headers, "X-Road-Id": "after"})
    assert after.status == 200
    await runtime.message_log.flush()
    assert len(await runtime.store.list_messages(MessageQuery(message_id="after"))) == 1
