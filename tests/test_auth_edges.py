"""Issue 15, findings 9-11, attacked over real sockets: a rotated key's tokens stop working on every
replica within the bound, unknown names do not grow the metrics, and guessing credentials is throttled
per source and per key while everyone else is served (and logged) as before."""

from __future__ import annotations

import asyncio
import ipaddress
import secrets
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from prometheus_client.parser import text_string_to_metric_families

from ngsp_sim.clock import ManualClock
from ngsp_sim.config import MAX_TOKEN_CACHE_SECONDS, FailedAuthConfig, SecurityConfig
from ngsp_sim.hub.runtime import HUB
from ngsp_sim.security.credentials import CredentialKeeper
from ngsp_sim.security.guard import FailedAuthGuard, source_of
from ngsp_sim.store import MessageQuery, store_from_url
from tests.helpers import ADMIN, ADMIN_TOKEN, BUSINESS, DEMO_KEY, DEMO_SECRET, MOTCUA, MakeHub, basic_auth, token_for
from tests.processes import run_cli, start, stop

BIZ_GATEWAY = "/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=0312345673"
CACHE = SecurityConfig().token_cache_seconds
GRANT = {"grant_type": "client_credentials"}
DEFAULTS = FailedAuthConfig()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def served_and_logged(hub: TestClient[Any, Any], headers: dict[str, str] | None = None) -> None:
    """The next good request is answered by the provider and leaves its record in the message log."""
    message_id = f"good-{secrets.token_hex(4)}"
    headers = {"X-Road-Id": message_id, **(headers or {"X-Road-Client": MOTCUA})}
    path = BIZ_GATEWAY if "Authorization" in headers else f"{BUSINESS}?msdn=0312345673"
    resp = await hub.get(path, headers=headers)
    assert resp.status == 200, await resp.text()
    runtime = hub.app[HUB]
    await runtime.message_log.flush()
    found = await runtime.store.list_messages(MessageQuery(message_id=message_id))
    assert [(m.record["messageId"], m.record["succeeded"]) for m in found] == [(message_id, True)]


# --- finding 9: rotation reaches every replica within the bound ----------------------------------


async def test_the_token_cache_bound_is_what_the_readme_promises() -> None:
    assert 0 < CACHE <= MAX_TOKEN_CACHE_SECONDS == 2.0
    with pytest.raises(ValueError, match="token_cache_seconds"):
        SecurityConfig(token_cache_seconds=30)


async def test_rotation_on_the_store_stops_old_tokens_on_every_replica(
    make_hub: MakeHub, store_url: str, clock: ManualClock
) -> None:
    """Two replicas on one store (SQLite file, PostgreSQL); the key is rotated on the store as
    ``ngsp-sim credentials rotate`` does, with no replica told. Within the cache bound both refuse."""
    first = await make_hub(store=store_from_url(store_url))
    second = await make_hub(store=store_from_url(store_url))
    token = await token_for(first)
    for replica in (first, second):  # both have validated (and cached) the token
        assert (await replica.get(BIZ_GATEWAY, headers=bearer(token))).status == 200

    cli_store = store_from_url(store_url)
    await cli_store.open()
    try:
        new_secret = await CredentialKeeper(cli_store, clock, 2**10).rotate(DEMO_KEY)
    finally:
        await cli_store.close()

    clock.advance(CACHE)
    for replica in (first, second):
        resp = await replica.get(BIZ_GATEWAY, headers=bearer(token))
        assert resp.status == 401, await resp.text()
        assert (await resp.json())["fault"]["code"] == 900901
        old = await replica.post("/token", data=GRANT, headers=basic_auth(DEMO_KEY, DEMO_SECRET))
        assert old.status == 401
    fresh = await token_for(second, DEMO_KEY, new_secret)
    for replica in (first, second):
        await served_and_logged(replica, bearer(fresh))


async def test_a_token_is_re_checked_once_the_cache_runs_out_not_before(make_hub: MakeHub, clock: ManualClock) -> None:
    """The cache is what makes the bound: a revoked token passes until its entry expires, then never."""
    hub = await make_hub()
    token = await token_for(hub)
    assert (await hub.get(BIZ_GATEWAY, headers=bearer(token))).status == 200
    await hub.app[HUB].store.delete_tokens(DEMO_KEY)  # revoked behind the replica's back
    clock.advance(CACHE / 2)
    assert (await hub.get(BIZ_GATEWAY, headers=bearer(token))).status == 200  # still cached
    clock.advance(CACHE / 2)
    assert (await hub.get(BIZ_GATEWAY, headers=bearer(token))).status == 401


async def test_cli_rotation_against_a_running_hub_process(tmp_path: Path) -> None:
    """Real processes: a hub on a SQLite file, ``ngsp-sim credentials rotate`` run beside it. No request
    that starts later than the bound after the command returns is accepted with the old token."""
    data = str(tmp_path / "d")
    hub = await start(
        "up", "--port", "0", "--population", "20", "--data-dir", data, env={"NGSP_SIM_ADMIN_TOKEN": ADMIN_TOKEN}
    )
    try:
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{hub.url}/token", data=GRANT, headers=basic_auth(DEMO_KEY, DEMO_SECRET)) as resp:
                token = (await resp.json())["access_token"]

            async def accepted() -> bool:
                async with session.get(hub.url + BIZ_GATEWAY, headers=bearer(token)) as resp:
                    assert resp.status in (200, 401), await resp.text()
                    return resp.status == 200

            assert await accepted()
            rotated = await asyncio.to_thread(run_cli, "credentials", "rotate", DEMO_KEY, "--data-dir", data)
            assert rotated.returncode == 0, rotated.stderr
            done = time.monotonic()
            last_accepted = None
            while time.monotonic() < done + 10:  # bounded; ends at the first refusal
                started = time.monotonic()
                if not await accepted():
                    break
                last_accepted = started
                await asyncio.sleep(0.05)
            else:
                pytest.fail("the old token was still accepted 10 s after the rotation")
            if last_accepted is not None:
                assert last_accepted - done <= MAX_TOKEN_CACHE_SECONDS
    finally:
        assert await stop(hub) == 0


# --- finding 10: metrics cardinality -------------------------------------------------------------


def series(text: str) -> set[tuple[str, tuple[tuple[str, str], ...]]]:
    return {
        (s.name, tuple(sorted(s.labels.items())))
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def scrape(hub: TestClient[Any, Any]) -> set[tuple[str, tuple[tuple[str, str], ...]]]:
    resp = await hub.get("/metrics", headers=ADMIN)
    assert resp.status == 200
    return series(await resp.text())


async def test_unknown_services_and_clients_collapse_into_one_label_value(hub: TestClient[Any, Any]) -> None:
    named: list[str] = []

    def random_subsystem() -> str:
        named.append(
            f"VN/GOV/000.00.{secrets.randbelow(90) + 10}.H{secrets.randbelow(90) + 10}/S{secrets.token_hex(3)}"
        )
        return named[-1]

    async def attack() -> None:
        for _ in range(25):
            await hub.get(f"/r1/{random_subsystem()}/svc{secrets.token_hex(3)}", headers={"X-Road-Client": MOTCUA})
            await hub.get(f"{BUSINESS}?msdn=0312345673", headers={"X-Road-Client": random_subsystem()})
            await hub.get(f"/r1/{random_subsystem()}/x", headers={"X-Road-Client": random_subsystem()})
            await hub.get(f"/api{secrets.token_hex(3)}/1.0/x")

    await served_and_logged(hub)
    before = await scrape(hub)
    await attack()
    after_first = await scrape(hub)
    added = after_first - before
    assert ("ngsp_request_duration_seconds_count", (("service", "unknown"),)) in added
    for name, labels in added:  # collapsed (or no name at all), or an error type (the hub's own set)
        assert {"unknown", "-"} & set(dict(labels).values()) or name.startswith("ngsp_errors"), (name, labels)
    text = await (await hub.get("/metrics", headers=ADMIN)).text()
    assert not [n for n in named if n.rsplit("/", 1)[1] in text]
    await attack()
    assert await scrape(hub) == after_first  # 100 more random names: not one series more
    await served_and_logged(hub)


# --- finding 11: guessing credentials ------------------------------------------------------------


@pytest.fixture
async def session_from() -> AsyncIterator[Any]:
    """Sessions whose connections come from another loopback address (another source)."""
    opened: list[aiohttp.ClientSession] = []

    def make(address: str) -> aiohttp.ClientSession:
        opened.append(aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(address, 0))))
        return opened[-1]

    yield make
    for session in opened:
        await session.close()


async def wrong_secrets(post: Any, count: int, key: str = DEMO_KEY, **headers: str) -> list[int]:
    statuses = []
    for _ in range(count):
        resp = await post("/token", data=GRANT, headers={**basic_auth(key, "wrong-" + secrets.token_hex(4)), **headers})
        statuses.append(resp.status)
    return statuses


def metric(text: str, name: str, kind: str) -> float:
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and s.labels == {"kind": kind}:
                return float(s.value)
    raise AssertionError(f"{name}{{kind={kind}}} missing")


async def metrics_text(hub: TestClient[Any, Any]) -> str:
    resp = await hub.get("/metrics", headers=ADMIN)
    assert resp.status == 200
    return await resp.text()


async def test_wrong_token_secrets_are_throttled_per_source_then_forgiven(
    hub: TestClient[Any, Any], clock: ManualClock
) -> None:
    assert await wrong_secrets(hub.post, DEFAULTS.source_burst) == [401] * DEFAULTS.source_burst
    resp = await hub.post("/token", data=GRANT, headers=basic_auth(DEMO_KEY, DEMO_SECRET))
    assert resp.status == 429  # even the right secret: the source is over its allowance, nothing is checked
    fault = (await resp.json())["fault"]
    assert fault["code"] == 900800 and fault["type"] == "Client.Throttled"
    assert "too many failed authentications from 127.0.0.1" in fault["description"]
    retry_after = int(resp.headers["Retry-After"])
    assert retry_after == round(1 / DEFAULTS.source_rate)
    clock.advance(retry_after - 0.5)
    assert (await hub.post("/token", data=GRANT, headers=basic_auth(DEMO_KEY, DEMO_SECRET))).status == 429
    clock.advance(0.5)
    token = await token_for(hub)
    await served_and_logged(hub, bearer(token))
    text = await metrics_text(hub)  # the admin API has buckets of its own: served from the same address
    assert metric(text, "ngsp_auth_failures_total", "token") == DEFAULTS.source_burst
    assert metric(text, "ngsp_auth_throttled_total", "token") == 2


async def test_concurrent_guesses_get_no_more_checks_than_the_burst(hub: TestClient[Any, Any]) -> None:
    statuses = await asyncio.gather(*(wrong_secrets(hub.post, 1) for _ in range(3 * DEFAULTS.source_burst)))
    flat = sorted(s for group in statuses for s in group)
    assert flat.count(401) == DEFAULTS.source_burst
    assert flat.count(429) == 2 * DEFAULTS.source_burst


async def test_successful_authentication_never_counts(hub: TestClient[Any, Any]) -> None:
    for _ in range(3 * DEFAULTS.source_burst):
        await token_for(hub)
        assert (await hub.get("/api/v1/services", headers=ADMIN)).status == 200
    assert await wrong_secrets(hub.post, DEFAULTS.source_burst) == [401] * DEFAULTS.source_burst
    text = await metrics_text(hub)
    assert metric(text, "ngsp_auth_throttled_total", "token") == 0


async def test_one_attacker_locks_out_only_itself(hub: TestClient[Any, Any], session_from: Any) -> None:
    statuses = await wrong_secrets(hub.post, DEFAULTS.source_burst + 5)
    assert statuses[-5:] == [429] * 5
    legit = session_from("127.0.0.2")  # the key's owner, elsewhere: the key's own bucket is not empty
    async with legit.post(hub.make_url("/token"), data=GRANT, headers=basic_auth(DEMO_KEY, DEMO_SECRET)) as resp:
        assert resp.status == 200, await resp.text()
        token = (await resp.json())["access_token"]
    async with legit.get(hub.make_url(BIZ_GATEWAY), headers=bearer(token)) as resp:
        assert resp.status == 200


async def test_a_spread_attack_locks_its_key_and_no_other(hub: TestClient[Any, Any], session_from: Any) -> None:
    other_secret = (await (await hub.post("/api/v1/credentials/hotich-btp/rotate", headers=ADMIN)).json())[
        "consumer_secret"
    ]
    sources = [session_from(f"127.0.0.{n}") for n in range(10, 10 + DEFAULTS.key_burst // DEFAULTS.source_burst)]

    async def post_from(session: aiohttp.ClientSession) -> Any:
        async def post(path: str, **kwargs: Any) -> Any:
            async with session.post(hub.make_url(path), **kwargs) as resp:
                await resp.read()
                return resp

        return post

    for session in sources:
        assert await wrong_secrets(await post_from(session), DEFAULTS.source_burst) == [401] * DEFAULTS.source_burst
    bystander = await post_from(session_from("127.0.0.50"))
    locked = await bystander("/token", data=GRANT, headers=basic_auth(DEMO_KEY, DEMO_SECRET))
    assert locked.status == 429 and "Retry-After" in locked.headers  # the key itself is under attack
    other = await bystander("/token", data=GRANT, headers=basic_auth("hotich-btp", other_secret))
    assert other.status == 200  # another key from another address: untouched
    await served_and_logged(hub)


async def test_forwarded_for_counts_only_from_a_trusted_proxy(make_hub: MakeHub) -> None:
    wrong = basic_auth(DEMO_KEY, "wrong")
    direct = await make_hub(security=SecurityConfig(kdf_cost=2**10))
    statuses = []
    for n in range(DEFAULTS.source_burst + 1):  # a new claimed address each time does not help
        forged = {"X-Forwarded-For": f"203.0.113.{n}", **wrong}
        statuses.append((await direct.post("/token", data=GRANT, headers=forged)).status)
    assert statuses[-1] == 429

    proxied = await make_hub(security=SecurityConfig(kdf_cost=2**10, trusted_proxies=("127.0.0.0/8",)))
    attacker = {"X-Forwarded-For": "198.51.100.1, 203.0.113.66"}
    statuses = await wrong_secrets(proxied.post, DEFAULTS.source_burst, **attacker)
    assert statuses == [401] * DEFAULTS.source_burst
    resp = await proxied.post("/token", data=GRANT, headers={**attacker, **wrong})
    assert resp.status == 429 and "from 203.0.113.66" in (await resp.json())["fault"]["description"]
    client = {"X-Forwarded-For": "203.0.113.67", **basic_auth(DEMO_KEY, DEMO_SECRET)}
    assert (await proxied.post("/token", data=GRANT, headers=client)).status == 200  # another client, same proxy


async def test_wrong_admin_tokens_are_throttled_on_the_api_and_the_metrics(
    hub: TestClient[Any, Any], clock: ManualClock, session_from: Any
) -> None:
    wrong = {"Authorization": "Bearer not-the-admin-token-000"}
    for _ in range(DEFAULTS.source_burst):
        resp = await hub.get("/api/v1/services", headers=wrong)
        assert resp.status == 401
    assert (await hub.get("/api/v1/services")).status == 401  # no token at all: not a guess, not counted
    for path in ("/api/v1/services", "/metrics"):
        resp = await hub.get(path, headers=ADMIN)
        assert resp.status == 429, path
        assert (await resp.json())["error"] == "throttled"
        assert int(resp.headers["Retry-After"]) == round(1 / DEFAULTS.source_rate)
    async with session_from("127.0.0.2").get(hub.make_url("/metrics"), headers=ADMIN) as resp:
        assert resp.status == 200  # the admin elsewhere is served
        text = await resp.text()
    assert metric(text, "ngsp_auth_failures_total", "admin") == DEFAULTS.source_burst
    assert metric(text, "ngsp_auth_throttled_total", "admin") == 2
    clock.advance(1 / DEFAULTS.source_rate)
    assert (await hub.get("/api/v1/services", headers=ADMIN)).status == 200
    await served_and_logged(hub)


def test_a_source_is_an_ipv4_address_or_an_ipv6_64() -> None:
    assert source_of("127.0.0.1") == "127.0.0.1"
    assert source_of("::ffff:10.0.0.7") == "10.0.0.7"
    assert source_of("2001:db8:1:2:aaaa::1") == source_of("2001:db8:1:2:bbbb::2") == "2001:db8:1:2::/64"
    assert source_of("2001:db8:1:3::1") != source_of("2001:db8:1:2::1")
    assert source_of(None) == "-"


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_source() -> None:
    proxy = [ipaddress.ip_network("10.0.0.0/8")]
    assert source_of("10.0.0.2", ["198.51.100.9, 203.0.113.5"], proxy) == "203.0.113.5"
    assert source_of("10.0.0.2", ["203.0.113.5, 10.0.0.9"], proxy) == "203.0.113.5"  # a second proxy hop
    assert source_of("10.0.0.2", ["2001:db8:1:2::7"], proxy) == "2001:db8:1:2::/64"
    assert source_of("10.0.0.2", ["not-an-address"], proxy) == "10.0.0.2"
    assert source_of("192.0.2.1", ["203.0.113.5"], proxy) == "192.0.2.1"  # not a proxy: the header is a claim
    assert source_of("10.0.0.2", ["203.0.113.5"]) == "10.0.0.2"  # no proxy trusted at all


def test_one_address_cannot_be_allowed_to_lock_a_key() -> None:
    with pytest.raises(ValueError, match="one address cannot lock a key"):
        FailedAuthConfig(source_burst=10, key_burst=10)
    with pytest.raises(ValueError, match="one address cannot lock a key"):
        FailedAuthConfig(source_rate=1.0, key_rate=0.5)


def test_buckets_stay_bounded_under_a_spray_of_keys(monkeypatch: pytest.MonkeyPatch, clock: ManualClock) -> None:
    monkeypatch.setattr("ngsp_sim.security.guard.MAX_BUCKETS", 100)
    guard = FailedAuthGuard(clock, DEFAULTS)
    for n in range(1000):
        with guard.attempt("token", f"key-{n}", f"10.0.{n // 250}.{n % 250}") as attempt:
            attempt.failed()
    assert len(guard._buckets) <= 100
    with guard.attempt("token", "k" * 10_000, "10.9.9.9") as attempt:
        attempt.failed()
    assert max(len(key) for _, key in guard._buckets) < 200
