"""Asynchronous exchange: document mailboxes (VDXP), event subscriptions and their durable delivery.

:class:`Exchange` ties the pieces together for one hub: the outbox in the store, the delivery worker,
the mailboxes, the subscriptions (from the admin API, the topology file, or simulated agencies), and
:meth:`Exchange.publish` for events such as a dossier's status change.

Subscriber URLs are ``http(s)://...`` webhooks, or ``sim://INSTANCE/CLASS/MEMBER/SUBSYSTEM`` for a
simulated agency running inside the hub (delivered to its ``POST /webhook`` native route, signed alike),
both by the sender given to :class:`Exchange` (the hub's is :class:`ngsp_sim.transport.WebhookSender`).
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

import orjson

from ngsp_sim.clock import Clock
from ngsp_sim.exchange.delivery import DeliveryConfig, DeliveryWorker, Sender
from ngsp_sim.exchange.mailboxes import Mailboxes, edoc_topic
from ngsp_sim.monitoring.feed import EventFeed
from ngsp_sim.store.exchange import ExchangeStore, NewEvent, Subscription
from ngsp_sim.transport.webhook import SIM_SCHEME

__all__ = ["DeliveryConfig", "Exchange", "Mailboxes", "edoc_topic", "new_subscription"]


def new_subscription(
    topic: str,
    url: str,
    now_ms: int,
    *,
    sub_id: str | None = None,
    secret: str | None = None,
    max_attempts: int = 8,
    source: str = "api",
) -> Subscription:
    if ":" not in topic:
        raise ValueError(f"topic {topic!r}: use KIND:KEY, e.g. edoc:000.00.00.H29 or dossier-status:H29")
    if not url.startswith(("http://", "https://", SIM_SCHEME)):
        raise ValueError(f"url {url!r}: use http(s)://... or sim://SUBSYSTEM")
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    return Subscription(
        sub_id or uuid.uuid4().hex[:12], topic, url, secret or secrets.token_urlsafe(32), max_attempts, source, now_ms
    )


class Exchange:
    def __init__(
        self,
        store: ExchangeStore,
        clock: Clock,
        config: DeliveryConfig,
        sender: Sender,
        agencies: Any,
        feed: EventFeed | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.config = config
        self.feed = feed
        self.worker = DeliveryWorker(store, clock, config, sender, feed)
        self.mailboxes = Mailboxes(store, clock, agencies, self.worker.wake, feed)

    def _ms(self) -> int:
        return int(self.clock.now() * 1000)

    async def publish(self, topic: str, event_type: str, data: dict[str, Any], key: str | None = None) -> None:
        """Queue ``data`` for every subscriber of ``topic`` (durably), and show it on the feed."""
        key = key or uuid.uuid4().hex
        await self.store.publish([NewEvent(topic, event_type, orjson.dumps(data), key)], self._ms())
        if self.feed is not None:
            self.feed.publish("event", {"topic": topic, "event": event_type, "key": key, **data})
        self.worker.wake()

    async def subscribe(self, topic: str, url: str, **options: Any) -> Subscription:
        sub = new_subscription(topic, url, self._ms(), **options)
        await self.store.put_subscription(sub)
        return sub

    async def sync_topology(self, declared: list[Subscription]) -> None:
        """Topology-file subscriptions replace the previous topology-file ones; API ones stay."""
        ids = {s.id for s in declared}
        for sub in await self.store.list_subscriptions():
            if sub.source == "topology" and sub.id not in ids:
                await self.store.delete_subscription(sub.id)
        for sub in declared:
            await self.store.put_subscription(sub)
