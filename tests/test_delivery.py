"""Signed deliveries, backoff on a controllable clock, dead letters and replay, ordering per
subscriber, and the outbox claim shared between workers; store-level tests run on SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence

import orjson
import pytest

from ngsp_sim.clock import ManualClock
from ngsp_sim.errors import SignatureError
from ngsp_sim.exchange import new_subscription
from ngsp_sim.exchange.delivery import DeliveryConfig, DeliveryWorker, backoff
from ngsp_sim.exchange.signing import sign, verify
from ngsp_sim.store import Store
from ngsp_sim.store.exchange import NewEvent, Subscription

SECRET = "s3cret-s3cret-s3cret"
BODY = b'{"MaHoSo": "000.00.00.H29-251121-0001", "TrangThaiHoSo": 4}'


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    """A known answer (computed apart), so a receiver written from the documented formula verifies it."""
    expected = "b18fd5627dba7a0c835715da9324ddccf5fdcaa52e40f0fa27d5fa6469b01152"
    assert sign("whsec-test", b'{"docId": "abc"}', 1763712000) == f"t=1763712000,v1={expected}"


def test_a_valid_signature_verifies() -> None:
    assert verify(SECRET, BODY, sign(SECRET, BODY, 1_000), now=1_010) == 1_000


@pytest.mark.parametrize(
    ("body", "secret", "now", "why"),
    [
        (BODY.replace(b"4", b"9"), SECRET, 1_010, "does not match"),  # tampered body
        (BODY, "another-secret-entirely", 1_010, "does not match"),  # signed with another secret
        (BODY, SECRET, 1_000 + 301, "a replay"),  # captured and replayed later
    ],
    ids=["tampered", "other-secret", "replayed"],
)
def test_tampered_foreign_or_replayed_deliveries_are_detected(body: bytes, secret: str, now: float, why: str) -> None:
    with pytest.raises(SignatureError, match=why):
        verify(secret, body, sign(SECRET, BODY, 1_000), now=now)


@pytest.mark.parametrize("header", [None, "", "v1=abc", "t=x,v1=abc"])
def test_missing_or_malformed_signatures_are_refused(header: str | None) -> None:
    with pytest.raises(SignatureError):
        verify(SECRET, BODY, header, now=1_000)


def test_backoff_doubles_within_equal_jitter_and_is_capped() -> None:
    config = DeliveryConfig(base_delay=1.0, max_delay=60.0)
    rng = random.Random(1)  # noqa: S311 - jitter
    for attempt in range(1, 12):
        ceiling = min(60.0, 2 ** (attempt - 1))
        for _ in range(50):
            assert ceiling / 2 <= backoff(attempt, config, rng) <= ceiling


class Recorder:
    """A subscriber that fails its first ``failures`` calls, recording every attempt."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.attempts: list[tuple[str, str]] = []  # (idempotency key, attempt)
        self.delivered: list[bytes] = []

    async def __call__(self, sub: Subscription, body: bytes, headers: dict[str, str], timeout: float) -> str | None:
        verify(sub.secret, body, headers["X-NGSP-Signature"], 1_700_000_000)
        self.attempts.append((headers["X-NGSP-Idempotency-Key"], headers["X-NGSP-Attempt"]))
        if self.failures > 0:
            self.failures -= 1
            return "HTTP 503"
        self.delivered.append(body)
        return None


async def _setup(store: Store, sender: Recorder, max_attempts: int = 3) -> tuple[DeliveryWorker, ManualClock]:
    clock = ManualClock(1_700_000_000)
    sub = new_subscription(
        "dossier-status:H29", "http://127.0.0.1:9/hook", 0, sub_id="s1", secret=SECRET, max_attempts=max_attempts
    )
    await store.exchange.put_subscription(sub)
    config = DeliveryConfig(base_delay=2.0, max_delay=60.0, seed=7)
    return DeliveryWorker(store.exchange, clock, config, sender), clock


async def _publish(store: Store, *states: int) -> None:
    events = [NewEvent("dossier-status:H29", "dossier.status", orjson.dumps({"s": s}), f"e{s}") for s in states]
    await store.exchange.publish(events, 1_700_000_000_000)


async def test_backoff_timing_on_the_clock(store: Store) -> None:
    sender = Recorder(failures=2)
    worker, clock = await _setup(store, sender, max_attempts=5)
    await _publish(store, 1)
    assert await worker.run_once() == 1
    [pending] = await store.exchange.list_deliveries()
    first_wait = pending.next_attempt_ms / 1000 - clock.now()
    assert 1.0 <= first_wait <= 2.0 and pending.status == "failed" and pending.last_error == "HTTP 503"
    clock.advance(first_wait - 0.01)
    assert await worker.run_once() == 0  # not yet due
    clock.advance(0.02)
    assert await worker.run_once() == 1
    [pending] = await store.exchange.list_deliveries()
    assert 2.0 <= pending.next_attempt_ms / 1000 - clock.now() <= 4.0  # doubled
    clock.advance(4.0)
    assert await worker.run_once() == 1
    [done] = await store.exchange.list_deliveries()
    assert (done.status, done.attempts) == ("delivered", 3)
    assert [a for _, a in sender.attempts] == ["1", "2", "3"]
    assert {k for k, _ in sender.attempts} == {"e1:s1"}  # the same idempotency key on every attempt


async def test_dead_letters_and_replay(store: Store) -> None:
    sender = Recorder(failures=3)
    worker, clock = await _setup(store, sender, max_attempts=2)
    await _publish(store, 1, 2)
    await worker.run_once()
    clock.advance(60)
    await worker.run_once()  # second failure of e1: dead; e2 goes on and fails once more (third failure)
    counts = await store.exchange.counts()
    assert counts == {"dead": 1, "failed": 1}
    [dead] = await store.exchange.list_deliveries("dead")
    assert (dead.idempotency_key, dead.attempts, dead.last_error) == ("e1:s1", 2, "HTTP 503")
    clock.advance(60)
    await worker.run_once()  # e2 delivered
    assert await store.exchange.replay(int(clock.now() * 1000)) == 1
    await worker.run_once()
    assert await store.exchange.counts() == {"delivered": 2}
    assert [orjson.loads(b)["s"] for b in sender.delivered] == [2, 1]
    assert await store.exchange.replay(int(clock.now() * 1000)) == 0


async def test_deliveries_to_one_subscriber_keep_their_order(store: Store) -> None:
    sender = Recorder(failures=1)
    worker, clock = await _setup(store, sender, max_attempts=5)
    await _publish(store, 1, 2, 3)
    await worker.run_once()
    assert [k for k, _ in sender.attempts] == ["e1:s1"]  # 2 and 3 wait behind the failed 1
    clock.advance(10)
    await worker.run_once()
    assert [orjson.loads(b)["s"] for b in sender.delivered] == [1, 2, 3]


async def test_a_claim_is_leased_and_workers_never_share_a_subscription(store: Store) -> None:
    for n in range(6):
        sub = new_subscription(f"edoc:S{n}", "http://127.0.0.1:9/", 0, sub_id=f"s{n}", secret=SECRET)
        await store.exchange.put_subscription(sub)
        await store.exchange.publish([NewEvent(f"edoc:S{n}", "edoc.received", b"{}", f"d{n}")], 0)
    first, second = await asyncio.gather(
        store.exchange.claim(1_000, 30_000, 4, 10), store.exchange.claim(1_000, 30_000, 4, 10)
    )
    ids = [d.subscription_id for group in (*first, *second) for d in group]
    assert sorted(ids) == [f"s{n}" for n in range(6)]  # every one claimed once, by one of the two
    assert await store.exchange.claim(1_000, 30_000, 10, 10) == []  # leased
    assert len(await store.exchange.claim(31_001, 30_000, 10, 10)) == 6  # the lease ran out: claimable again


async def test_wildcard_and_removed_subscriptions(store: Store) -> None:
    sender = Recorder()
    worker, _ = await _setup(store, sender)
    every = new_subscription("dossier-status:*", "http://127.0.0.1:9/", 0, sub_id="all", secret=SECRET)
    await store.exchange.put_subscription(every)
    await _publish(store, 1)
    assert {d.idempotency_key for d in await store.exchange.list_deliveries()} == {"e1:s1", "e1:all"}
    assert await store.exchange.delete_subscription("all")
    await worker.run_once()
    assert await store.exchange.counts() == {"delivered": 1, "dead": 1}


async def test_a_groups_successes_are_committed_together_before_a_failure_is_recorded(store: Store) -> None:
    sender = Recorder()
    worker, clock = await _setup(store, sender, max_attempts=5)
    marked: list[list[int]] = []
    mark = store.exchange.delivered

    async def recording(done: Sequence[tuple[int, int, int]]) -> None:
        marked.append([delivery_id for delivery_id, _, _ in done])
        await mark(done)

    worker.store.delivered = recording  # type: ignore[method-assign]
    await _publish(store, 1, 2, 3)
    assert await worker.run_once() == 3
    assert [len(ids) for ids in marked] == [3]  # one transaction for the three
    assert worker.delivered == 3 and await store.exchange.counts() == {"delivered": 3}
    await _publish(store, 4, 5, 6)
    sender.failures, sender.delivered = 0, []
    original = sender.__call__

    async def fail_on_5(sub: Subscription, body: bytes, headers: dict[str, str], timeout: float) -> str | None:
        return "HTTP 503" if orjson.loads(body)["s"] == 5 else await original(sub, body, headers, timeout)

    worker.send = fail_on_5
    assert await worker.run_once() == 2
    assert len(marked) == 2 and len(marked[1]) == 1  # 4 committed before 5's failure; 6 waits behind it
    assert await store.exchange.counts() == {"delivered": 4, "failed": 1, "pending": 1}
    clock.advance(10)
    worker.send = sender
    assert await worker.run_once() == 2
    assert [orjson.loads(b)["s"] for b in sender.delivered] == [4, 5, 6]
