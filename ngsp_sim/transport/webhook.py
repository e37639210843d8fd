"""How the hub reaches a subscriber: a signed delivery POSTed to its webhook.

The delivery worker (:mod:`ngsp_sim.exchange.delivery`) calls a sender with the subscription, the
body, the signed headers and the timeout, and reads back ``None`` (delivered: a 2xx) or why not (a
status, no answer in time, a connection failure): a failed delivery is retried later, never an error
here. ``sim://INSTANCE/CLASS/MEMBER/SUBSYSTEM`` reaches a simulated agency inside the hub in-process,
at its ``POST /webhook`` native route. Plain ``http://`` webhooks are POSTed by the small kept-alive
client of :mod:`~ngsp_sim.transport.http1` (h11's HTTP/1.1, about half of aiohttp's CPU per delivery);
``https://`` ones, and URLs with a user or password, by the hub's aiohttp session.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import aiohttp

from adapters.base import NativeRequest
from ngsp_sim.errors import WebhookAnswerError
from ngsp_sim.identifiers import SubsystemId
from ngsp_sim.store.exchange import Subscription
from ngsp_sim.transport.contract import NativeHandler
from ngsp_sim.transport.http1 import Http1Client, plain_target

__all__ = ["SIM_SCHEME", "WebhookSender"]

SIM_SCHEME = "sim://"


class WebhookSender:
    """POSTs a delivery; ``sim://`` URLs go to the simulated agency's handler in-process. :meth:`aclose`
    closes its kept-alive connections (the delivery worker calls it when it stops)."""

    def __init__(self, session: aiohttp.ClientSession, agencies: Mapping[SubsystemId, NativeHandler]) -> None:
        self.session = session
        self.agencies = agencies
        self.plain = Http1Client()

    async def __call__(self, sub: Subscription, body: bytes, headers: dict[str, str], timeout: float) -> str | None:
        if sub.url.startswith(SIM_SCHEME):
            try:
                agency = self.agencies.get(SubsystemId.parse(sub.url.removeprefix(SIM_SCHEME)))
            except ValueError:
                agency = None
            if agency is None:
                return f"no simulated agency {sub.url}"
            answer = await agency.handle(NativeRequest("POST", "/webhook", headers=headers, body=body))
            return None if 200 <= answer.status < 300 else f"HTTP {answer.status}"
        if (target := plain_target(sub.url)) is not None:
            try:
                status = await self.plain.post(target, body, headers, timeout)
            except TimeoutError:
                return f"no answer within {timeout:g} s"
            except (OSError, asyncio.IncompleteReadError, ValueError, WebhookAnswerError) as exc:
                return f"{type(exc).__name__}: {exc}"
            return None if 200 <= status < 300 else f"HTTP {status}"
        try:
            async with self.session.post(
                sub.url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(total=timeout), allow_redirects=False
            ) as resp:
                await resp.read()
                return None if 200 <= resp.status < 300 else f"HTTP {resp.status}"
        except TimeoutError:
            return f"no answer within {timeout:g} s"
        except aiohttp.ClientError as exc:
            return f"{type(exc).__name__}: {exc}"

    async def aclose(self) -> None:
        await self.plain.aclose()
