"""The exchange axis's native face (VDXP, ``VN/GOV/000.00.00.G22/VDXP``): the mailbox operations at
``/vdxp/{operation}``, answered by the hub's :class:`~ngsp_sim.exchange.Mailboxes`.

It is a part of the hub rather than an agency of its own: the hub's context gives it ``exchange``; run
on its own (``ngsp-sim agency run vdxp``) it answers 503. The caller is the member code in
``X-VDXP-Caller``, which the hub's adapter sets from the client it authenticated.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from adapters.base import NativeRequest, NativeResponse
from ngsp_sim.exchange.mailboxes import Mailboxes
from ngsp_sim.sim.base import Handler, SimulatedAgency, json_reply, xml_reply
from schemas.edxml import CALLER_HEADER, NATIVE_PATHS

__all__ = ["VdxpAgency"]

Operation = Callable[[Mailboxes, str, NativeRequest], Awaitable[tuple[int, Any]]]
"""``(mailboxes, caller member code, native request) -> (status, answer)``."""


class VdxpAgency(SimulatedAgency):
    kind = "vdxp"

    def routes(self) -> Mapping[tuple[str, str], Handler]:
        return {
            ("POST", NATIVE_PATHS["sendEdoc"]): self._with_caller(lambda boxes, caller, r: boxes.send(caller, r.body)),
            ("POST", NATIVE_PATHS["updateStatus"]): self._with_caller(
                lambda boxes, caller, r: boxes.update_status(caller, r.body)
            ),
            ("GET", NATIVE_PATHS["getReceivedEdocList"]): self._with_caller(
                lambda boxes, caller, r: boxes.received(caller, _int(r, "after", 0), _int(r, "limit", 50))
            ),
            ("GET", NATIVE_PATHS["getEdoc"]): self._with_caller(
                lambda boxes, caller, r: boxes.get(caller, _query(r, "docId"))
            ),
            ("GET", NATIVE_PATHS["getAgenciesList"]): self._with_caller(lambda boxes, caller, r: boxes.agencies_list()),
        }

    def _with_caller(self, operation: Operation) -> Handler:
        """A handler running ``operation`` for the caller the hub named; JSON answers, edXML as it is."""

        async def handle(request: NativeRequest) -> NativeResponse:
            if self.exchange is None:
                return json_reply({"status": "FAIL", "ErrorDesc": "the exchange axis runs inside a hub"}, 503)
            caller = request.headers.get(CALLER_HEADER)
            if caller is None:
                return json_reply({"status": "FAIL", "ErrorDesc": f"no {CALLER_HEADER}"}, 401)
            status, answer = await operation(self.exchange.mailboxes, caller, request)
            return xml_reply(answer, status) if isinstance(answer, bytes) else json_reply(answer, status)

        return handle


def _query(request: NativeRequest, name: str) -> str:
    return dict(request.query).get(name, "")


def _int(request: NativeRequest, name: str, default: int) -> int:
    value = _query(request, name)
    return int(value) if value.isdigit() else default
