"""The one client of a running hub's admin API (``/api/v1``), shared by every command that talks to a
hub: ``chaos``, ``deliveries``, ``record``, ``scenario run --hub``.

It owns the three things each of those once wrote for itself: the bearer token (refused early when
missing), an error answer turned into :class:`~ngsp_sim.errors.AdminApiError` with the hub's message
and problems, and a hub that is not running turned into :class:`~ngsp_sim.errors.HubUnreachable`
("no hub answers at URL; start one with `ngsp-sim up`") instead of aiohttp's socket error.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import orjson

from ngsp_sim.errors import AdminApiError, HubUnreachable

__all__ = ["DEFAULT_HUB", "TOKEN_ENV", "AdminClient", "call_once"]

DEFAULT_HUB = "http://127.0.0.1:8080"
TOKEN_ENV = "NGSP_SIM_ADMIN_TOKEN"  # noqa: S105  the variable's name, not a token
# No total limit: the live feed stays open for a whole scenario run; it sends a comment every 15 s,
# so a read that waits a minute means the hub is gone.
_TIMEOUT = aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=60)


class AdminClient:
    """``async with AdminClient(url, token) as hub: await hub.call("GET", "/faults")``."""

    def __init__(self, url: str, token: str | None) -> None:
        if not token:
            raise ValueError(f"the hub's admin token is needed: --admin-token or ${TOKEN_ENV}")
        self.url = url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"}
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> AdminClient:
        self._session = aiohttp.ClientSession(self.url, headers=self._headers, timeout=_TIMEOUT)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    @asynccontextmanager
    async def open(
        self, method: str, path: str, body: Any = None, params: Mapping[str, str] | None = None
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        """The answer of ``METHOD /api/v1{path}``, checked: a 4xx/5xx raises :class:`AdminApiError`.
        Use for a stream (the live feed); :meth:`call` for JSON."""
        if self._session is None:
            raise RuntimeError("use AdminClient in `async with`")
        data = None if body is None else orjson.dumps(body)
        try:
            async with self._session.request(method, "/api/v1" + path, data=data, params=params) as answer:
                if answer.status >= 400:
                    raise await _refusal(answer)
                yield answer
        except aiohttp.ClientConnectorError:
            raise HubUnreachable(self.url) from None

    async def call(self, method: str, path: str, body: Any = None, params: Mapping[str, str] | None = None) -> Any:
        """``METHOD /api/v1{path}`` with a JSON body; the parsed JSON answer (None when empty)."""
        async with self.open(method, path, body, params) as answer:
            raw = await answer.read()
        return orjson.loads(raw) if raw else None


async def _refusal(answer: aiohttp.ClientResponse) -> AdminApiError:
    return AdminApiError.from_answer(answer.status, await answer.read(), str(answer.reason))


def call_once(
    url: str, token: str | None, method: str, path: str, body: Any = None, params: Mapping[str, str] | None = None
) -> Any:
    """One :meth:`AdminClient.call` from synchronous code (a command that makes a single call)."""

    async def once() -> Any:
        async with AdminClient(url, token) as client:
            return await client.call(method, path, body, params)

    return asyncio.run(once())
