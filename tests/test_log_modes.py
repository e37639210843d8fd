"""Message-log modes as X-Road has them: per provider subsystem ``message_log: full | metadata | off``,
and the maximum loggable body size (refuse as X-Road does, or truncate), over real sockets on each
store; a record without bodies is still sealed in the keyed chain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from ngsp_sim.config import MessageLogConfig
from ngsp_sim.hub.logmode import OVERSIZE_MESSAGE
from ngsp_sim.hub.runtime import HUB
from ngsp_sim.registry.loader import demo_text
from ngsp_sim.store import MessageQuery, StoredMessage, store_from_url, verify_chain
from ngsp_sim.store.evidence import export_bundle, verify_bundle
from tests.helpers import ADMIN, BUSINESS, MOTCUA, POPULATION, MakeHub, lookup_body, token_for
from tests.processes import start, stop

PROVIDER = "VN/GOV/000.00.00.G01/CSDLQGDC"
BODIES = ("client_request", "provider_request", "provider_response", "client_response")


def _with_mode(mode: str, after: str = "        simulator: population\n") -> str:
    """The demo country with ``message_log: mode`` on the subsystem whose block has ``after``."""
    return demo_text().replace(after, f"{after}        message_log: {mode}\n", 1)


async def _records(hub: TestClient[Any, Any]) -> list[StoredMessage]:
    runtime = hub.app[HUB]
    await runtime.message_log.flush()
    items = await runtime.store.list_messages(MessageQuery(limit=500))
    found = [await runtime.store.get_message(m.id) for m in items]
    return [m for m in found if m is not None]


async def _sealed(hub: TestClient[Any, Any]) -> bool:
    return (await verify_chain(hub.app[HUB].store)).ok


async def _lookup(hub: TestClient[Any, Any], message_id: str) -> int:
    resp = await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA, "X-Road-Id": message_id})
    return resp.status


@pytest.mark.parametrize("mode", ["full", "metadata", "off"])
async def test_each_mode_keeps_its_record(make_hub: MakeHub, store_url: str, mode: str) -> None:
    hub = await make_hub(_with_mode(mode), store=store_from_url(store_url))
    assert await _lookup(hub, f"mode-{mode}") == 200
    records = await _records(hub)
    if mode == "off":
        assert records == []
        return
    (m,) = records
    assert m.record["messageId"] == f"mode-{mode}" and m.record["succeeded"] is True
    bodies = [getattr(m, name) for name in BODIES]
    if mode == "full":
        assert all(bodies) and b"079090001234" in (m.client_request or b"")
    else:
        assert bodies == [None] * 4 and m.truncated is False
    assert await _sealed(hub)  # a record without bodies is sealed and verifies like any other
    start = m.record["requestInTs"]
    bundle, report, count = await export_bundle(hub.app[HUB].store, start, start + 1, start)
    assert report.ok and count == 1 and verify_bundle(bundle).ok  # and travels in an evidence bundle


async def test_metadata_keeps_the_native_path_without_its_query(make_hub: MakeHub) -> None:
    """X-Road leaves the query parameters out of a record without bodies; the path stays."""
    hub = await make_hub(_with_mode("metadata", after="        simulator: business\n"))
    resp = await hub.get(f"{BUSINESS}?msdn=0312345673", headers={"X-Road-Client": MOTCUA})
    assert resp.status == 200, await resp.text()
    (m,) = await _records(hub)
    assert m.record["providerPath"] and "?" not in m.record["providerPath"] and m.client_response is None
    full = await make_hub()
    await full.get(f"{BUSINESS}?msdn=0312345673", headers={"X-Road-Client": MOTCUA})
    (f,) = await _records(full)
    assert f.record["providerPath"].startswith(m.record["providerPath"] + "?")


async def test_the_provider_decides_not_the_client(make_hub: MakeHub) -> None:
    """X-Road keys body logging on the producer subsystem: a client's own mode does not apply."""
    quiet_client = _with_mode("off", after="      - code: MOTCUA\n")
    assert "code: MOTCUA\n        message_log: off" in quiet_client
    hub = await make_hub(quiet_client)
    assert await _lookup(hub, "client-off") == 200
    (m,) = await _records(hub)
    assert m.client_request is not None


async def test_log_bodies_false_is_metadata_and_contradictions_are_refused(make_hub: MakeHub) -> None:
    hub = await make_hub(_with_mode("full").replace("message_log: full\n", "log_bodies: false\n"))
    assert await _lookup(hub, "older-form") == 200
    (m,) = await _records(hub)
    assert m.client_request is None and m.record["succeeded"] is True
    with pytest.raises(Exception, match="log_bodies: false contradicts message_log: full"):
        await make_hub(
            _with_mode("full").replace("message_log: full\n", "message_log: full\n        log_bodies: false\n")
        )


async def test_the_admin_api_sets_a_subsystems_mode(make_hub: MakeHub) -> None:
    hub = await make_hub()
    name = {"vi": "Cơ sở dữ liệu quốc gia về dân cư", "en": "National population database"}
    resp = await hub.put(f"/api/v1/subsystems/{PROVIDER}", json={"name": name, "message_log": "off"}, headers=ADMIN)
    assert resp.status == 200, await resp.text()
    assert await _lookup(hub, "admin-off") == 200
    assert await _records(hub) == []
    resp = await hub.put(
        f"/api/v1/subsystems/{PROVIDER}", json={"name": name, "message_log": "metadata"}, headers=ADMIN
    )
    assert resp.status == 200, await resp.text()
    assert await _lookup(hub, "admin-metadata") == 200
    (m,) = await _records(hub)
    assert m.record["messageId"] == "admin-metadata" and m.client_response is None
    bad = await hub.put(f"/api/v1/subsystems/{PROVIDER}", json={"name": name, "message_log": "some"}, headers=ADMIN)
    assert bad.status == 400


async def _limit_between(make_hub: MakeHub) -> tuple[int, int]:
    """The sizes of the lookup's request and of the largest body after it (hub logging in full)."""
    hub = await make_hub()
    await _lookup(hub, "sizes")
    (m,) = await _records(hub)
    after = max(len(getattr(m, name) or b"") for name in BODIES[1:])
    return len(m.client_request or b""), after


@pytest.mark.parametrize("which", ["request", "response"])
async def test_a_body_over_the_loggable_size_fails_as_x_road_fails_it(
    make_hub: MakeHub, store_url: str, which: str
) -> None:
    request, after = await _limit_between(make_hub)
    assert request < after
    limit = request - 1 if which == "request" else request
    hub = await make_hub(store=store_from_url(store_url), message_log=MessageLogConfig(body_limit=limit))
    resp = await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})
    assert resp.status == 500
    assert resp.headers["X-Road-Error"] == "Server.ServerProxy.LoggingFailed"
    assert "Retry-After" not in resp.headers  # trying again will not help
    body = await resp.json()
    assert body["type"] == "Server.ServerProxy.LoggingFailed" and body["message"] == OVERSIZE_MESSAGE
    assert str(limit) in body["detail"]
    assert await _records(hub) == []  # what cannot be logged is refused, not logged
    # metadata keeps no bodies, so it measures none: the same exchange passes
    quiet = await make_hub(_with_mode("metadata"), message_log=MessageLogConfig(body_limit=limit))
    assert await _lookup(quiet, "quiet") == 200


async def test_a_body_over_the_loggable_size_can_be_truncated_instead(make_hub: MakeHub, store_url: str) -> None:
    config = MessageLogConfig(body_limit=64, oversize="truncate")
    hub = await make_hub(store=store_from_url(store_url), message_log=config)
    assert await _lookup(hub, "cut") == 200
    (m,) = await _records(hub)
    assert m.truncated is True and all(len(getattr(m, name) or b"") == 64 for name in BODIES)
    assert await _sealed(hub)


async def test_the_gateway_style_gets_the_same_refusal_as_a_fault(make_hub: MakeHub) -> None:
    hub = await make_hub(message_log=MessageLogConfig(body_limit=16))
    token = await token_for(hub)
    resp = await hub.get(
        "/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=0312345673", headers={"Authorization": f"Bearer {token}"}
    )
    assert resp.status == 503 and "Retry-After" not in resp.headers
    fault = (await resp.json())["fault"]
    assert fault["type"] == "Server.ServerProxy.LoggingFailed" and fault["description"].startswith(OVERSIZE_MESSAGE)
    assert await _records(hub) == []


async def test_an_exchange_failing_anyway_keeps_its_error_and_its_bodies_cut(make_hub: MakeHub) -> None:
    hub = await make_hub(message_log=MessageLogConfig(body_limit=16))
    stranger = {"X-Road-Client": "VN/GOV/000.00.00.H29/NOBODY"}
    resp = await hub.post(POPULATION, json=lookup_body(), headers=stranger)
    assert resp.headers["X-Road-Error"] == "Server.ClientProxy.UnknownMember"
    (m,) = await _records(hub)
    assert m.record["faultCode"] == "Server.ClientProxy.UnknownMember"
    assert m.truncated is True and len(m.client_request or b"") == 16


@pytest.mark.parametrize(("flags", "status"), [((), 500), (("--body-oversize", "truncate"), 200)])
async def test_up_takes_the_limit_and_what_to_do_over_it(tmp_path: Path, flags: tuple[str, ...], status: int) -> None:
    args = ("up", "--port", "0", "--population", "50", "--data-dir", str(tmp_path), "--body-limit", "64", *flags)
    hub = await start(*args)
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.post(hub.url + POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA}) as resp,
        ):
            assert resp.status == status, await resp.text()
            if status == 500:
                assert (await resp.json())["message"] == OVERSIZE_MESSAGE
    finally:
        await stop(hub)
