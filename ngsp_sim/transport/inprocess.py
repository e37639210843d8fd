"""A provider answered in-process: a simulated agency's handler called directly, under the service's
timeout, with no socket in between (the default for every simulated agency of the topology)."""

from __future__ import annotations

import asyncio

from adapters.base import NativeRequest, NativeResponse
from ngsp_sim.errors import Timeout
from ngsp_sim.transport.contract import ExchangeContext, NativeHandler

__all__ = ["InProcessTransport"]


class InProcessTransport:
    def __init__(self, agency: NativeHandler) -> None:
        self.agency = agency

    async def send(self, request: NativeRequest, timeout: float, exchange: ExchangeContext) -> NativeResponse:
        try:
            async with asyncio.timeout(timeout):
                return await self.agency.handle(request)
        except TimeoutError:
            raise Timeout(f"the simulated provider did not answer within {timeout:g} s") from None
