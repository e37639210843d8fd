"""Fault injection (each kind), seeded replay, the circuit breaker on a controllable clock, retries."""

from __future__ import annotations

import asyncio
import statistics
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from adapters.soap import build_fault
from ngsp_sim.clock import ManualClock
from ngsp_sim.errors import CircuitOpen
from ngsp_sim.hub.runtime import HUB
from ngsp_sim.monitoring.feed import read_events
from ngsp_sim.registry.loader import demo_text
from ngsp_sim.store import MessageQuery
from ngsp_sim.transport import ActiveFault, BreakerConfig, CircuitBreaker, FaultSpec
from tests.helpers import ADMIN, BUSINESS, DOSSIER_LOOKUP, MOTCUA, POPULATION, MakeHub, lookup_body, provider_topology

POP_SERVICE = "VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan"
BIZ = f"{BUSINESS}?msdn=0312345673"


def with_faults(*faults: dict[str, Any]) -> str:
    """The demo country with faults appended (YAML flow mappings are JSON)."""
    import json

    return demo_text() + "\nfaults:\n" + "".join(f"  - {json.dumps(f)}\n" for f in faults)


async def _logged(hub: Any) -> list[Any]:
    runtime = hub.server.app[HUB]
    await runtime.message_log.flush()
    return list(reversed(await runtime.store.list_messages(MessageQuery(limit=100))))


async def lookup(hub: Any) -> Any:
    return await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})


async def test_fixed_latency_waits_on_the_clock(make_hub: MakeHub, clock: ManualClock) -> None:
    hub = await make_hub(with_faults({"id": "slow", "target": POP_SERVICE, "kind": "latency", "latency": {"ms": 1500}}))
    pending = asyncio.ensure_future(lookup(hub))
    await asyncio.wait_for(clock.until_sleeping(), 10)  # the injected delay has started
    assert not pending.done()
    clock.advance(1.5)
    resp = await pending
    assert resp.status == 200
    (m,) = await _logged(hub)
    assert m.injected == "latency:slow"


@pytest.mark.parametrize(
    "latency",
    [
        {"distribution": "uniform", "min_ms": 100, "max_ms": 300},
        {"distribution": "lognormal", "median_ms": 200, "sigma": 0.5},
    ],
    ids=["uniform", "lognormal"],
)
def test_latency_distributions_are_seeded(latency: dict[str, Any]) -> None:
    spec = FaultSpec(id="f", target=POP_SERVICE, kind="latency", latency=latency, seed=11)
    first = [ActiveFault(spec).delay() for _ in range(1)]
    a, b = ActiveFault(spec), ActiveFault(spec)
    draws_a = [a.delay() for _ in range(2000)]
    draws_b = [b.delay() for _ in range(2000)]
    assert draws_a == draws_b and draws_a[0] == first[0]
    if latency["distribution"] == "uniform":
        assert min(draws_a) >= 0.1 and max(draws_a) <= 0.3
    else:
        assert statistics.median(draws_a) == pytest.approx(0.2, rel=0.1)


async def test_error_answers_the_native_error_instead_of_calling(make_hub: MakeHub) -> None:
    body = '{"Status": 0, "Message": "Hệ thống đang bảo trì"}'
    hub = await make_hub(
        provider_topology(
            extra={
                "faults": [
                    {
                        "id": "maint",
                        "target": "VN/GOV/000.00.00.G12/CSDLDKDN",
                        "kind": "error",
                        "status": 503,
                        "body": body,
                    }
                ]
            }
        )
    )
    resp = await hub.get(BIZ, headers={"X-Road-Client": MOTCUA})
    assert resp.status == 503 and "X-Road-Error" not in resp.headers
    assert (await resp.json())["Message"] == "Hệ thống đang bảo trì"
    (m,) = await _logged(hub)
    assert m.injected == "error:maint"


async def test_timeout_lets_the_service_timeout_fire(make_hub: MakeHub) -> None:
    hub = await make_hub(
        provider_topology(
            timeout=0.2,
            extra={"faults": [{"id": "hang", "target": "VN/GOV/000.00.00.G12/CSDLDKDN", "kind": "timeout"}]},
        )
    )
    resp = await hub.get(BIZ, headers={"X-Road-Client": MOTCUA})
    assert resp.headers["X-Road-Error"] == "Server.ServerProxy.ServiceFailed.Timeout"


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("reset", "Server.ServerProxy.ServiceFailed.NetworkError"),
        ("outage", "Server.ServerProxy.ServiceFailed.NetworkError"),
        ("malformed", "Server.ServerProxy.ServiceFailed"),
        ("schema_violation", "Server.ServerProxy.ServiceFailed.SchemaViolation"),
    ],
)
async def test_failure_kinds(make_hub: MakeHub, kind: str, error: str) -> None:
    hub = await make_hub(with_faults({"id": "f1", "target": POP_SERVICE, "kind": kind}))
    resp = await lookup(hub)
    assert resp.headers["X-Road-Error"] == error
    (m,) = await _logged(hub)
    assert m.injected == f"{kind}:f1" and m.record["faultCode"] == error


async def test_outage_window_on_the_clock(make_hub: MakeHub, clock: ManualClock) -> None:
    now = clock.now()
    hub = await make_hub(
        with_faults(
            {
                "id": "down",
                "target": "VN/GOV/000.00.00.G01/CSDLQGDC",
                "kind": "outage",
                "start": now + 60,
                "end": now + 120,
            }
        )
    )
    assert (await lookup(hub)).status == 200
    clock.advance(61)
    assert (await lookup(hub)).headers["X-Road-Error"].endswith("NetworkError")
    clock.advance(60)
    assert (await lookup(hub)).status == 200


async def test_a_seeded_rate_replays_identically(make_hub: MakeHub) -> None:
    outcomes = []
    for _ in range(2):
        hub = await make_hub(
            with_faults({"id": "flaky", "target": POP_SERVICE, "kind": "reset", "rate": 0.4, "seed": 99})
        )
        hub.app[HUB].config  # noqa: B018 - a fresh hub each round
        outcomes.append([(await lookup(hub)).status for _ in range(25)])
    assert outcomes[0] == outcomes[1]
    assert 200 in outcomes[0] and 500 in outcomes[0]


async def test_only_idempotent_calls_are_retried(make_hub: MakeHub) -> None:
    """Every call is reset: a GET is tried twice, a POST (the DVCQG login) once."""
    hub = await make_hub(
        with_faults(
            {"id": "get-reset", "target": "VN/GOV/000.00.00.G12/CSDLDKDN", "kind": "reset"},
            {"id": "post-reset", "target": "VN/GOV/000.00.00.G22/DVCQG", "kind": "reset"},
        ),
        breaker=BreakerConfig(min_calls=1000),
    )
    await hub.get(BIZ, headers={"X-Road-Client": MOTCUA})
    await hub.post(DOSSIER_LOOKUP, json={"MaHoSo": "000.00.00.H29-251121-0001"}, headers={"X-Road-Client": MOTCUA})
    hits = {f.spec.id: f.hits for f in hub.app[HUB].routes.faults.values()}
    assert hits == {"get-reset": 2, "post-reset": 1}


def test_circuit_breaker_opens_probes_and_closes_on_the_clock() -> None:
    clock = ManualClock()
    breaker = CircuitBreaker(
        "VN/GOV/000.00.00.G01/CSDLQGDC", BreakerConfig(failure_ratio=0.5, min_calls=4, open_seconds=10), clock
    )
    for ok in (True, False, True):
        breaker.before()
        breaker.record(ok)
    assert breaker.state == "closed"
    breaker.before()
    breaker.record(False)  # 2 failures in 4 calls: open
    assert breaker.state == "open"
    with pytest.raises(CircuitOpen):
        breaker.before()
    clock.advance(10)
    breaker.before()  # the probe goes through (half-open)
    assert breaker.state == "half_open"
    with pytest.raises(CircuitOpen):
        breaker.before()  # only one probe at a time
    breaker.record(False)
    assert breaker.state == "open"
    clock.advance(10)
    breaker.before()
    breaker.record(True)
    assert breaker.state == "closed"
    breaker.before()


def test_circuit_breaker_forgets_failures_that_leave_the_window() -> None:
    clock = ManualClock()
    breaker = CircuitBreaker("P", BreakerConfig(failure_ratio=0.5, min_calls=4, window_seconds=30), clock)
    breaker.record(False)
    breaker.record(False)
    assert (breaker.failures, breaker.calls) == (2, 2)
    clock.advance(31)  # both failures are now older than the window
    for _ in range(3):
        breaker.record(True)
    assert (breaker.failures, breaker.calls) == (0, 3)
    breaker.record(False)  # 1 failure in 4 calls: stays closed (it would open had the old ones counted)
    assert breaker.state == "closed"


async def test_breaker_state_is_visible_and_recovers_through_the_hub(make_hub: MakeHub, clock: ManualClock) -> None:
    from ngsp_sim.transport import BreakerConfig as Config

    hub = await make_hub(
        with_faults(
            {"id": "down", "target": "VN/GOV/000.00.00.G01/CSDLQGDC", "kind": "outage", "end": clock.now() + 30}
        ),
        breaker=Config(min_calls=3, open_seconds=20),
    )
    for _ in range(3):
        await lookup(hub)
    resp = await lookup(hub)
    assert resp.headers["X-Road-Error"] == "Server.ServerProxy.ServiceFailed.CircuitOpen"
    circuits = (await (await hub.get("/api/v1/circuits", headers=ADMIN)).json())["items"]
    assert {"provider": "VN/GOV/000.00.00.G01/CSDLQGDC", "state": "open", "calls": 0, "failures": 0} in circuits
    clock.advance(31)  # the outage is over and the breaker lets a probe through
    assert (await lookup(hub)).status == 200
    circuits = (await (await hub.get("/api/v1/circuits", headers=ADMIN)).json())["items"]
    assert circuits[0]["state"] == "closed"


async def test_faults_through_the_admin_api(hub: TestClient[Any, Any]) -> None:
    """A native error in the provider's own protocol: a SOAP Fault for the population database."""
    soap_fault = build_fault("soapenv:Server", "CSDL dân cư đang bảo trì").decode()
    fault = {"target": POP_SERVICE, "kind": "error", "status": 502, "body": soap_fault, "content_type": "text/xml"}
    assert (await hub.put("/api/v1/faults/maint", json=fault, headers=ADMIN)).status == 200
    resp = await lookup(hub)
    assert resp.status == 502 and "X-Road-Error" not in resp.headers
    assert (await resp.json())["faultstring"] == "CSDL dân cư đang bảo trì"
    listed = (await (await hub.get("/api/v1/faults", headers=ADMIN)).json())["items"]
    assert [(f["id"], f["hits"]) for f in listed] == [("maint", 1)]
    assert (await hub.delete("/api/v1/faults/maint", headers=ADMIN)).status == 200
    assert (await lookup(hub)).status == 200
    bad = await hub.put("/api/v1/faults/x", json={"target": POP_SERVICE, "kind": "latency"}, headers=ADMIN)
    assert bad.status == 400 and "latency" in " ".join((await bad.json())["problems"])
    unknown = await hub.put("/api/v1/faults/y", json={"target": "VN/GOV/X/Y", "kind": "reset"}, headers=ADMIN)
    assert unknown.status == 409  # well-formed, but names no provider of this registry


async def test_a_fault_injected_again_starts_afresh_and_every_change_is_announced(make_hub: MakeHub) -> None:
    """Re-injecting the same fault resets its hit counter (its cached state used to carry over), and
    each injection, clearing and circuit change is a ``faults`` event on the live feed."""
    hub = await make_hub(breaker=BreakerConfig(min_calls=2, failure_ratio=0.5))
    outage = {"target": "VN/GOV/000.00.00.G01/CSDLQGDC", "kind": "outage"}
    kinds: list[str] = []
    async with asyncio.timeout(30), hub.get("/api/v1/events", headers=ADMIN) as feed:
        for _ in range(2):
            assert (await hub.put("/api/v1/faults/down", json=outage, headers=ADMIN)).status == 200
            listed = (await (await hub.get("/api/v1/faults", headers=ADMIN)).json())["items"]
            assert [f["hits"] for f in listed] == [0]
            await lookup(hub)
            await lookup(hub)  # the second failure opens the circuit
            assert (await hub.delete("/api/v1/faults/down", headers=ADMIN)).status == 200
            assert (await hub.delete(f"/api/v1/circuits/{outage['target']}", headers=ADMIN)).status == 200
        hub.app[HUB].feed.publish("end", {})
        async for kind, _ in read_events(feed.content):
            if kind == "end":
                break
            if kind != "message":
                kinds.append(kind)
    assert kinds == ["faults"] * 8  # per round: injected, circuit opened, cleared, circuit closed
