"""The live event feed: every exchange the message log records, and every document accepted,
delivered, failed or dead-lettered, as it happens.

In-process publish/subscribe: each listener has a bounded queue; a listener that falls behind loses
its oldest events (counted in ``missed``) rather than slowing the hub. The last ``backlog`` events are
kept so that a listener can resume after ``Last-Event-ID``. Served as server-sent events at
``GET /api/v1/events``. With several replicas, each serves its own events.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import orjson

__all__ = ["CLOSED", "Event", "EventFeed", "Listener", "read_events"]


CLOSED = "closed"
"""The kind of the last event a listener gets when the hub shuts down (never sent to clients)."""


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    kind: str
    data: dict[str, Any]


class Listener:
    def __init__(self, size: int) -> None:
        self.queue: asyncio.Queue[Event] = asyncio.Queue(size)
        self.missed = 0

    def offer(self, event: Event) -> None:
        if self.queue.full():
            self.queue.get_nowait()
            self.missed += 1
        self.queue.put_nowait(event)

    async def next(self) -> Event:
        return await self.queue.get()


class EventFeed:
    def __init__(self, backlog: int = 500, queue_size: int = 1000) -> None:
        self._ids = itertools.count(1)
        self.recent: deque[Event] = deque(maxlen=backlog)
        self._listeners: set[Listener] = set()
        self._queue_size = queue_size

    def publish(self, kind: str, data: dict[str, Any]) -> Event:
        event = Event(next(self._ids), kind, data)
        self.recent.append(event)
        for listener in self._listeners:
            listener.offer(event)
        return event

    @asynccontextmanager
    async def listen(self, after: int | None = None) -> AsyncIterator[Listener]:
        """A listener, first given the kept events after ``after`` (a ``Last-Event-ID``)."""
        listener = Listener(self._queue_size)
        if after is not None:
            for event in self.recent:
                if event.id > after:
                    listener.offer(event)
        self._listeners.add(listener)
        try:
            yield listener
        finally:
            self._listeners.discard(listener)

    def close(self) -> None:
        """Tell every listener the feed ends (the hub is shutting down): each gets a ``closed`` event."""
        for listener in self._listeners:
            listener.offer(Event(0, CLOSED, {}))

    @property
    def listeners(self) -> int:
        return len(self._listeners)


async def read_events(lines: AsyncIterable[bytes]) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """The client side of ``GET /api/v1/events``: (kind, data) of each server-sent event, from the
    response's lines (e.g. an aiohttp response's ``content``)."""
    kind, data = "message", b""
    async for raw in lines:
        line = raw.rstrip(b"\r\n")
        if not line:
            if data:
                yield kind, orjson.loads(data)
            kind, data = "message", b""
        elif line.startswith(b"event:"):
            kind = line[6:].strip().decode()
        elif line.startswith(b"data:"):
            data += line[5:].strip()
