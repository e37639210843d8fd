"""The delivery worker: takes due deliveries from the outbox and pushes them to their subscribers.

At-least-once: a delivery is marked delivered only after the subscriber answered 2xx; a hub that dies
mid-delivery leaves a lease that expires (``lease_seconds``), after which any replica sends it again,
with the same idempotency key. Failures are retried with exponential backoff and equal jitter
(``base_delay * 2**(attempt-1)``, capped at ``max_delay``, then a random point in its upper half);
after the subscription's ``max_attempts`` the delivery moves to the dead-letter list, from which the
admin API and ``ngsp-sim deliveries replay`` bring it back. Deliveries to one subscription go in order:
a failed one holds back those behind it until it is delivered or dead. A subscription's run of
successful deliveries is marked delivered in one transaction (before a failure is recorded, and at the
end of its claimed group), and their feed events follow that commit; a hub that dies before it sends
them again after the lease, which at-least-once allows.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog

from ngsp_sim.clock import Clock
from ngsp_sim.exchange.signing import ATTEMPT_HEADER, EVENT_HEADER, KEY_HEADER, SIGNATURE_HEADER, sign
from ngsp_sim.monitoring.feed import EventFeed
from ngsp_sim.store.exchange import Delivery, ExchangeStore, Subscription

__all__ = ["DeliveryConfig", "DeliveryWorker", "Sender", "backoff"]

log = structlog.get_logger("ngsp_sim.delivery")

REMOVED = "the subscription was removed"

Sender = Callable[[Subscription, bytes, dict[str, str], float], Awaitable[str | None]]
"""``(subscription, body, headers, timeout) -> None`` when delivered, else what went wrong."""


@dataclass(frozen=True, slots=True)
class DeliveryConfig:
    poll_interval: float = 0.5
    lease_seconds: float = 30.0
    timeout: float = 10.0
    base_delay: float = 1.0
    max_delay: float = 300.0
    max_attempts: int = 8
    """Default for subscriptions that do not set their own."""
    subscriptions_per_claim: int = 16
    batch: int = 50
    seed: int | None = None
    """Seed of the jitter (a scenario replays identically); ``None``: random."""


def backoff(attempt: int, config: DeliveryConfig, rng: random.Random) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
    ceiling = float(min(config.max_delay, config.base_delay * 2 ** (attempt - 1)))
    return ceiling / 2 + rng.random() * ceiling / 2


class DeliveryWorker:
    def __init__(
        self, store: ExchangeStore, clock: Clock, config: DeliveryConfig, send: Sender, feed: EventFeed | None = None
    ) -> None:
        self.store = store
        self.clock = clock
        self.config = config
        self.send = send
        self.feed = feed
        self.rng = random.Random(config.seed)  # noqa: S311 - jitter, not security
        self.delivered = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def _ms(self) -> int:
        return int(self.clock.now() * 1000)

    def wake(self) -> None:
        self._wake.set()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def run_once(self) -> int:
        """Claim what is due and deliver it; answers the number of attempts made."""
        groups = await self.store.claim(
            self._ms(), int(self.config.lease_seconds * 1000), self.config.subscriptions_per_claim, self.config.batch
        )
        if not groups:
            return 0
        subs = {s.id: s for s in await self.store.list_subscriptions()}
        counts = await asyncio.gather(
            *(self._deliver_group(group, subs.get(group[0].subscription_id)) for group in groups)
        )
        return sum(counts)

    async def _deliver_group(self, group: list[Delivery], sub: Subscription | None) -> int:
        """Deliver ``group`` in order until one fails. The successes are marked delivered together, in
        one transaction (before a failure is recorded, and at the end), and reported only after it."""
        done: list[tuple[Delivery, int, int]] = []
        try:
            for index, delivery in enumerate(group):
                attempt = delivery.attempts + 1
                error = await self._push(delivery, sub, attempt)
                if error is None:
                    done.append((delivery, attempt, self._ms()))
                    continue
                await self._mark_delivered(done)
                if not await self._failed(delivery, sub, attempt, error):
                    await self.store.release([d.id for d in group[index + 1 :]])
                    return index + 1
        finally:
            await self._mark_delivered(done)
        return len(group)

    async def _push(self, delivery: Delivery, sub: Subscription | None, attempt: int) -> str | None:
        """Send one delivery: ``None`` when the subscriber took it, else what went wrong."""
        if sub is None or not sub.active:
            return REMOVED
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(sub.secret, delivery.payload, int(self.clock.now())),
            KEY_HEADER: delivery.idempotency_key,
            EVENT_HEADER: delivery.event_type,
            ATTEMPT_HEADER: str(attempt),
        }
        try:
            return await self.send(sub, delivery.payload, headers, self.config.timeout)
        except Exception as exc:  # a sender bug must not stop the worker
            return f"{type(exc).__name__}: {exc}"

    async def _mark_delivered(self, done: list[tuple[Delivery, int, int]]) -> None:
        """Commit the deliveries in ``done`` as delivered, then report them; empties ``done``."""
        if not done:
            return
        await self.store.delivered([(delivery.id, attempt, at) for delivery, attempt, at in done])
        for delivery, attempt, _ in done:
            self.delivered += 1
            self._event("delivered", delivery, attempt)
        done.clear()

    async def _failed(self, delivery: Delivery, sub: Subscription | None, attempt: int, error: str) -> bool:
        """Record a failed attempt; True when this subscription may go on to its next delivery (the
        failed one is dead), False when it waits for its retry."""
        if sub is None or not sub.active or attempt >= sub.max_attempts:
            await self.store.failed(delivery.id, attempt, error, None)
            self._event("dead", delivery, attempt, error)
            if error != REMOVED:
                log.warning(
                    "delivery dead-lettered", delivery=delivery.id, subscription=delivery.subscription_id, error=error
                )
            return True
        due = self._ms() + int(backoff(attempt, self.config, self.rng) * 1000)
        await self.store.failed(delivery.id, attempt, error, due)
        self._event("failed", delivery, attempt, error)
        return False

    def _event(self, status: str, delivery: Delivery, attempt: int, error: str | None = None) -> None:
        if self.feed is not None:
            self.feed.publish(
                "delivery",
                {
                    "status": status,
                    "delivery": delivery.id,
                    "subscription": delivery.subscription_id,
                    "event": delivery.event_type,
                    "topic": delivery.topic,
                    "idempotencyKey": delivery.idempotency_key,
                    "attempt": attempt,
                    "error": error,
                },
            )

    async def _idle(self) -> None:
        sleeper = asyncio.ensure_future(self.clock.sleep(self.config.poll_interval))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, waker):
                task.cancel()
            self._wake.clear()

    async def _run(self) -> None:
        while True:
            try:
                if await self.run_once():
                    continue
            except Exception:
                log.exception("delivery round failed; will retry")
            await self._idle()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="delivery-worker")

    async def stop(self) -> None:
        """Stop the worker; a sender that keeps connections (``aclose``, as the hub's does) closes them."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if (aclose := getattr(self.send, "aclose", None)) is not None:
            await aclose()
