"""Trust-plane faults (issue 20, item 2): over real sockets, each fault's exact X-Road error on ``/r1``
and in the gateway style, on the client's side and on the provider's, in both spellings of the codes."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_args

import pytest

from ngsp_sim.cli.chaos import KINDS, fault_body
from ngsp_sim.clock import ManualClock
from ngsp_sim.errors import AccessDenied, ClientOutdatedGlobalConf, NetworkError, all_hub_errors
from ngsp_sim.hub.runtime import HUB
from ngsp_sim.registry.loader import demo_text
from ngsp_sim.scenarios.explain import FAULT_KINDS
from ngsp_sim.scenarios.glossary import lookup
from ngsp_sim.store import MessageQuery
from ngsp_sim.transport.faults import FaultKind, FaultSpec
from tests.helpers import ADMIN, MOTCUA, POPULATION, MakeHub, lookup_body, token_for
from tests.scenario_helpers import play

CLIENT_MEMBER = "VN/GOV/000.00.00.H29"  # MOTCUA's member: its security server
PROVIDER = "VN/GOV/000.00.00.G01/CSDLQGDC"
POP_GATEWAY = "/apiCSDLQGDC/1.0/TraCuuThongTinCongDan"


def topology(*faults: dict[str, Any], error_codes: str | None = None) -> str:
    extra = f"\nerror_codes: {error_codes}\n" if error_codes else "\n"
    listed = "faults:\n" + "".join(f"  - {json.dumps(f)}\n" for f in faults) if faults else ""
    return demo_text() + extra + listed


def when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def expected(kind: str, now: float, status: str = "expired") -> str:
    return {
        "globalconf": "Global configuration is expired",
        "ocsp": f"OCSP response is too old (thisUpdate: {when(now - 7200)})",
        "timestamping": "Cannot time-stamp messages",
        "certificate": (
            "OCSP response indicates certificate status is revoked"
            if status == "revoked"
            else f"Member (owner/client) sign certificate is invalid: NotAfter: {when(now - 86400)}"
        ),
    }[kind]


LEGACY = {
    "globalconf": "OutdatedGlobalConf",
    "ocsp": "IncorrectValidationInfo",
    "timestamping": "TimestampingFailed",
    "certificate": "CertValidation",
}
SNAKE = {
    "globalconf": "global_conf_outdated",
    "ocsp": "incorrect_validation_info",
    "timestamping": "timestamping_failed",
    "certificate": "cert_validation",
}
SIDES = {"client": (CLIENT_MEMBER, "ClientProxy"), "provider": (PROVIDER, "ServerProxy")}


async def _logged(hub: Any) -> list[Any]:
    runtime = hub.server.app[HUB]
    await runtime.message_log.flush()
    return list(await runtime.store.list_messages(MessageQuery(limit=10)))


@pytest.mark.parametrize("side", sorted(SIDES))
@pytest.mark.parametrize("kind", sorted(LEGACY))
async def test_each_fault_answers_x_roads_error_on_r1(
    make_hub: MakeHub, clock: ManualClock, kind: str, side: str
) -> None:
    target, proxy = SIDES[side]
    hub = await make_hub(topology({"id": "t1", "target": target, "kind": kind}))
    resp = await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})
    code = f"Server.{proxy}.{LEGACY[kind]}"
    assert resp.status == 500 and resp.headers["X-Road-Error"] == code
    body = await resp.json()
    assert body["type"] == code and body["message"] == expected(kind, clock.now())
    assert "t1" in body["detail"]
    (m,) = await _logged(hub)
    assert m.injected == f"{kind}:t1" and m.record["faultCode"] == code
    if side == "client":  # refused by the client's security server: nothing reached the provider
        assert m.record.get("requestOutTs") is None


@pytest.mark.parametrize("side", sorted(SIDES))
@pytest.mark.parametrize("kind", sorted(LEGACY))
async def test_each_fault_in_the_gateway_style(make_hub: MakeHub, clock: ManualClock, kind: str, side: str) -> None:
    target, proxy = SIDES[side]
    hub = await make_hub(topology({"id": "t1", "target": target, "kind": kind}))
    token = await token_for(hub)  # the demo's consumer key is MOTCUA's
    resp = await hub.post(POP_GATEWAY, json=lookup_body(), headers={"Authorization": f"Bearer {token}"})
    assert resp.status == 500 and "X-Road-Error" not in resp.headers
    fault = (await resp.json())["fault"]
    assert fault["type"] == f"Server.{proxy}.{LEGACY[kind]}" and fault["code"] == 500
    assert fault["description"].startswith(expected(kind, clock.now()) + " (injected trust-plane fault t1")


@pytest.mark.parametrize("side", sorted(SIDES))
async def test_x_road_7_8_codes_when_the_topology_asks(make_hub: MakeHub, clock: ManualClock, side: str) -> None:
    target, proxy = SIDES[side]
    hub = await make_hub(topology({"id": "g", "target": target, "kind": "globalconf"}, error_codes="7x"))
    resp = await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})
    code = f"server.{proxy.lower()}.global_conf_outdated"
    assert resp.headers["X-Road-Error"] == code and (await resp.json())["type"] == code
    (m,) = await _logged(hub)
    assert m.record["faultCode"] == f"Server.{proxy}.OutdatedGlobalConf"  # the log keeps one spelling


async def test_7x_spells_every_error_and_legacy_stays_the_default(make_hub: MakeHub) -> None:
    nowhere = f"/r1/{PROVIDER}/KhongCo"
    seven = await make_hub(topology(error_codes="7x"))
    unknown = await seven.post(nowhere, json={}, headers={"X-Road-Client": MOTCUA})
    assert unknown.headers["X-Road-Error"] == "server.serverproxy.unknown_service"
    assert (await unknown.json())["type"] == "server.serverproxy.unknown_service"
    meta = await seven.get(f"/r1/{PROVIDER}/listMethods", headers={"X-Road-Client": "VN/GOV/X/Y"})
    assert meta.headers["X-Road-Error"] == "server.clientproxy.unknown_member"  # metaservices too
    edge = await seven.get("/nowhere", headers={"X-Road-Client": MOTCUA})  # refused at the edge, before routing
    assert (await edge.json())["fault"]["type"] == "server.serverproxy.unknown_service"
    unauthenticated = await seven.post(POP_GATEWAY, json=lookup_body())
    assert (await unauthenticated.json())["fault"]["type"] == "client.missing_credentials"
    legacy = await make_hub(topology())
    unknown = await legacy.post(nowhere, json={}, headers={"X-Road-Client": MOTCUA})
    assert unknown.headers["X-Road-Error"] == "Server.ServerProxy.UnknownService"


def test_the_snake_case_codes_follow_x_road() -> None:
    assert AccessDenied.code("7x") == "server.serverproxy.access_denied"
    assert NetworkError.code("7x") == "server.serverproxy.service_failed.network_error"
    assert ClientOutdatedGlobalConf.code("7x") == "server.clientproxy.global_conf_outdated"
    assert ClientOutdatedGlobalConf.code() == "Server.ClientProxy.OutdatedGlobalConf"
    codes = [e.code("7x") for e in all_hub_errors()]
    assert all(c == c.lower() and " " not in c for c in codes) and len(set(codes)) == len(codes)


async def test_a_revoked_certificate_through_the_admin_api(make_hub: MakeHub, clock: ManualClock) -> None:
    hub = await make_hub()
    fault = {"target": CLIENT_MEMBER, "kind": "certificate", "certificate_status": "revoked"}
    assert (await hub.put("/api/v1/faults/rev", json=fault, headers=ADMIN)).status == 200
    resp = await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})
    assert resp.headers["X-Road-Error"] == "Server.ClientProxy.CertValidation"
    assert (await resp.json())["message"] == expected("certificate", clock.now(), "revoked")
    (listed,) = (await (await hub.get("/api/v1/faults", headers=ADMIN)).json())["items"]
    assert (listed["kind"], listed["certificate_status"], listed["hits"]) == ("certificate", "revoked", 1)
    assert (await hub.delete("/api/v1/faults/rev", headers=ADMIN)).status == 200
    assert (await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})).status == 200


async def test_a_trust_fault_on_another_member_leaves_this_exchange_alone(make_hub: MakeHub) -> None:
    hub = await make_hub(topology({"id": "t", "target": "VN/GOV/000.00.00.G15", "kind": "globalconf"}))
    assert (await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})).status == 200


def test_every_fault_kind_is_told_to_the_room_and_offered_by_chaos() -> None:
    assert set(get_args(FaultKind)) == set(FAULT_KINDS) == set(KINDS)
    options = {"target": CLIENT_MEMBER, "kind": "certificate", "rate": 1.0, "seed": 0, "latency": None}
    body = fault_body({**options, "certificate_status": "revoked", "duration": None}, 0)
    assert FaultSpec(id="c", **body).certificate_status == "revoked"


def test_the_glossary_explains_both_spellings() -> None:
    term = lookup("server.clientproxy.global_conf_outdated")
    assert term is not None and term is lookup("Server.ClientProxy.OutdatedGlobalConf")
    assert term.en[1].endswith("(on the client's side).")


def test_the_errors_page_has_an_entry_per_code_in_both_languages() -> None:
    page = (Path(__file__).parent.parent / "docs" / "xroad-errors.md").read_text(encoding="utf-8")
    entries = dict(re.findall(r"^### `([^`]+)`\n(.*?)(?=^##|\Z)", page, flags=re.M | re.S))
    assert set(entries) == {e.type for e in all_hub_errors()}
    for error in all_hub_errors():
        text = entries[error.type]
        assert f"`{error.code('7x')}`" in text, error
        for label in ("Ý nghĩa:", "Cần làm:", "Meaning:", "What to do:"):
            assert f"**{label}**" in text, (error, label)
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert "(docs/xroad-errors.md)" in readme


def test_the_dashboard_offers_and_names_the_trust_kinds() -> None:
    ui = Path(__file__).parent.parent / "ngsp_sim" / "ui"
    page, words = (ui / "index.html").read_text(encoding="utf-8"), (ui / "i18n.js").read_text(encoding="utf-8")
    for kind in ("globalconf", "ocsp", "timestamping", "certificate"):
        assert f'<option value="{kind}" data-i18n="kind_{kind}">' in page
        assert words.count(f"kind_{kind}:") == 2, kind  # Vietnamese and English


@pytest.mark.parametrize("side", sorted(SIDES))
async def test_time_stamping_down_is_tolerated_for_the_acceptable_period(
    make_hub: MakeHub, clock: ManualClock, side: str
) -> None:
    """X-Road's acceptable-timestamp-failure-period, on the hub's clock: served (and logged without a
    time-stamp) until the service has been down that long, then refused."""
    target, proxy = SIDES[side]
    fault = {"id": "tsa", "target": target, "kind": "timestamping", "acceptable_failure_seconds": 3600}
    hub = await make_hub(topology(fault))
    caller = {"X-Road-Client": MOTCUA}
    clock.advance(3599)
    assert (await hub.post(POPULATION, json=lookup_body(), headers=caller)).status == 200
    clock.advance(1)
    refused = await hub.post(POPULATION, json=lookup_body(), headers=caller)
    assert refused.headers["X-Road-Error"] == f"Server.{proxy}.TimestampingFailed"
    served, failed = sorted(await _logged(hub), key=lambda m: m.record["requestInTs"])
    assert served.injected == failed.injected == "timestamping:tsa"  # the log shows the fault on both
    assert "faultCode" not in served.record or served.record["faultCode"] is None


async def test_only_a_timestamping_fault_has_an_acceptable_period(make_hub: MakeHub) -> None:
    hub = await make_hub()
    fault = {"target": CLIENT_MEMBER, "kind": "ocsp", "acceptable_failure_seconds": 60}
    bad = await hub.put("/api/v1/faults/x", json=fault, headers=ADMIN)
    assert bad.status == 400 and "timestamping" in " ".join((await bad.json())["problems"])


async def test_the_room_hears_whose_security_server_broke(make_hub: MakeHub, clock: ManualClock) -> None:
    hub = await make_hub()
    run = await play(hub, clock, name="global-conf-expired")
    told = run["steps"][1]["explanation"]  # the fault on the member HCMC
    assert told == {
        "vi": "Giả lập sự cố: UBND Thành phố Hồ Chí Minh có cấu hình toàn cục hết hạn.",
        "en": "A simulated incident: Hồ Chí Minh City People's Committee has an expired global configuration.",
    }
    refused = run["steps"][2]["explanation"]["en"]
    assert "Server.ClientProxy.OutdatedGlobalConf" in refused and refused.endswith("(on the client's side).")
