"""The exchange axis's native face (VDXP, ``VN/GOV/000.00.00.G22/VDXP``): the mailbox operations at
``/vdxp/{operation}``, answered by the hub's :class:`~ngsp_sim.exchange.Mailboxes`.

It is a part of the hub rather than an agency of its own: the hub sets ``exchange``; run on its own
(``ngsp-sim agency run vdxp``) it answers 503. The caller is the member code in ``X-VDXP-Caller``,
which the hub's adapter sets from the client it authenticated.
"""

from __future__ import annotations

from collections.abc import Mapping

from adapters.base import NativeRequest, NativeResponse
from adapters.edxml import CALLER_HEADER
from ngsp_sim.sim.base import Handler, SimulatedAgency, json_reply, xml_reply

__all__ = ["VdxpAgency"]


class VdxpAgency(SimulatedAgency):
    kind = "vdxp"

    def routes(self) -> Mapping[tuple[str, str], Handler]:
        return {
            ("POST", "/vdxp/sendEdoc"): self.send,
            ("GET", "/vdxp/getReceivedEdocList"): self.received,
            ("GET", "/vdxp/getEdoc"): self.get,
            ("POST", "/vdxp/updateStatus"): self.update_status,
            ("GET", "/vdxp/getAgenciesList"): self.agencies,
        }

    def _caller(self, request: NativeRequest) -> str | None:
        return request.headers.get(CALLER_HEADER)

    async def _serve(self, request: NativeRequest, kind: str) -> NativeResponse:
        caller = self._caller(request)
        if self.exchange is None:
            return json_reply({"status": "FAIL", "ErrorDesc": "the exchange axis runs inside a hub"}, 503)
        if caller is None and kind != "agencies":
            return json_reply({"status": "FAIL", "ErrorDesc": f"no {CALLER_HEADER}"}, 401)
        boxes = self.exchange.mailboxes
        query = dict(request.query)
        if kind == "send":
            status, answer = await boxes.send(caller, request.body)
        elif kind == "status":
            status, answer = await boxes.update_status(caller, request.body)
        elif kind == "received":
            status, answer = await boxes.received(caller, int(query.get("after", 0)), int(query.get("limit", 50)))
        elif kind == "get":
            status, answer = await boxes.get(caller, query.get("docId", ""))
            if isinstance(answer, bytes):
                return xml_reply(answer, status)
        else:
            status, answer = await boxes.agencies_list()
        return json_reply(answer, status)

    async def send(self, request: NativeRequest) -> NativeResponse:
        return await self._serve(request, "send")

    async def update_status(self, request: NativeRequest) -> NativeResponse:
        return await self._serve(request, "status")

    async def received(self, request: NativeRequest) -> NativeResponse:
        return await self._serve(request, "received")

    async def get(self, request: NativeRequest) -> NativeResponse:
        return await self._serve(request, "get")

    async def agencies(self, request: NativeRequest) -> NativeResponse:
        return await self._serve(request, "agencies")
