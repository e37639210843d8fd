"""The exchange axis's native face (VDXP, ``VN/GOV/000.00.00.G22/VDXP``): the mailbox operations at
``/vdxp/{operation}``, answered by the hub's :class:`~ngsp_sim.exchange.Mailboxes`.

It is a part of the hub rather than an agency of its own: the hub's context gives it ``exchange``. Run
on its own (``ngsp-sim agency run vdxp``, a conformance run) it keeps mailboxes of its own in memory,
addressed to the agencies of the demo topology (or ``options["agencies"]``: member code -> name), and
holds the demo document :data:`DEMO_EDOC` (docId ``DEMO``, H29 to G01) from the start; nothing is
delivered. The caller is the member code in ``X-VDXP-Caller``, which the hub's adapter sets from the
client it authenticated.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import yaml
from aiohttp import web

from adapters.base import NativeRequest, NativeResponse
from adapters.edxml import build_edoc
from ngsp_sim.exchange import Exchange
from ngsp_sim.exchange.delivery import DeliveryConfig
from ngsp_sim.exchange.mailboxes import Mailboxes
from ngsp_sim.registry import read_topology
from ngsp_sim.sim.base import Handler, SimulatedAgency, describe, json_reply, query_params, xml_reply
from ngsp_sim.store.exchange import NewEdoc, Subscription
from ngsp_sim.store.sqlite import SqliteStore
from schemas.edxml import CALLER_HEADER, NATIVE_PATHS, Edoc, EdocQuery, ReceivedQuery, StatusEnvelope

__all__ = ["DEMO_EDOC", "DEMO_EDOC_ID", "VdxpAgency"]

DEMO_EDOC_ID = "DEMO"
DEMO_EDOC = build_edoc(
    {"OrganId": "000.00.00.H29", "OrganName": "UBND Thành phố Hồ Chí Minh"},
    [{"OrganId": "000.00.00.G01", "OrganName": "Bộ Công an"}],
    number="7",
    notation="UBND-VP",
    date="2025/11/21",
    subject="Về việc triển khai Đề án 06",
)
"""The demo document (``000.00.00.H29,2025/11/21,7/UBND-VP``): the ``sendEdoc`` example, and what a
standalone axis holds as docId ``DEMO``."""


async def _no_delivery(sub: Subscription, body: bytes, headers: dict[str, str], timeout: float) -> str | None:
    return "a standalone exchange axis delivers nothing"


def _demo_agencies() -> dict[str, str]:
    text, _ = read_topology(None)
    return {a["code"]: a["name"]["vi"] for a in yaml.safe_load(text)["agencies"]}


Operation = Callable[[Mailboxes, str, NativeRequest], Awaitable[tuple[int, Any]]]
"""``(mailboxes, caller member code, native request) -> (status, answer)``."""


class VdxpAgency(SimulatedAgency):
    kind = "vdxp"

    def routes(self) -> Mapping[tuple[str, str], Handler]:
        return {
            ("POST", NATIVE_PATHS["sendEdoc"]): self._with_caller(
                lambda boxes, caller, r: boxes.send(caller, r.body, r.validated(Edoc))
            ),
            ("POST", NATIVE_PATHS["updateStatus"]): self._with_caller(
                lambda boxes, caller, r: boxes.update_status(caller, r.body, r.validated(StatusEnvelope))
            ),
            ("GET", NATIVE_PATHS["getReceivedEdocList"]): self._with_caller(_received),
            ("GET", NATIVE_PATHS["getEdoc"]): self._with_caller(
                lambda boxes, caller, r: boxes.get(caller, query_params(EdocQuery, r).docId)
            ),
            ("GET", NATIVE_PATHS["getAgenciesList"]): self._with_caller(lambda boxes, caller, r: boxes.agencies_list()),
        }

    def refuse_invalid(self, problem: str) -> NativeResponse:
        return json_reply({"status": "FAIL", "ErrorDesc": f"invalid request: {problem}"}, 400)

    def aiohttp_app(self, max_body_size: int = 10 * 1024 * 1024) -> web.Application:
        app = super().aiohttp_app(max_body_size)
        if self.exchange is None:
            app.cleanup_ctx.append(self._standalone)
        return app

    async def _standalone(self, app: web.Application) -> AsyncIterator[None]:
        """Mailboxes of its own while it serves on its own (see the module's doc)."""
        store = SqliteStore(":memory:")
        await store.open()
        names = dict(self.options.get("agencies") or _demo_agencies())
        self.exchange = Exchange(store.exchange, self.clock, DeliveryConfig(), _no_delivery, lambda: names)
        sha = hashlib.sha256(DEMO_EDOC).hexdigest()
        demo = NewEdoc(
            DEMO_EDOC_ID,
            "edoc",
            "000.00.00.H29",
            "000.00.00.H29,2025/11/21,7/UBND-VP",
            0,
            "Về việc triển khai Đề án 06",
            None,
            None,
            DEMO_EDOC,
            sha,
            int(self.clock.now() * 1000),
        )
        await store.exchange.accept(demo, ["000.00.00.G01"], [])
        yield
        self.exchange = None
        await store.close()

    def _with_caller(self, operation: Operation) -> Handler:
        """A handler running ``operation`` for the caller the hub named; JSON answers, edXML as it is."""

        async def handle(request: NativeRequest) -> NativeResponse:
            if self.exchange is None:
                return json_reply({"status": "FAIL", "ErrorDesc": "the exchange axis runs inside a hub"}, 503)
            caller = request.headers.get(CALLER_HEADER)
            if caller is None:
                return json_reply({"status": "FAIL", "ErrorDesc": f"no {CALLER_HEADER}"}, 401)
            try:  # query parameters are read with the models the hub checks; documents by the mailboxes
                status, answer = await operation(self.exchange.mailboxes, caller, request)
            except ValueError as exc:
                return self.refuse_invalid(describe(exc))
            return xml_reply(answer, status) if isinstance(answer, bytes) else json_reply(answer, status)

        return handle


async def _received(boxes: Mailboxes, caller: str, request: NativeRequest) -> tuple[int, Any]:
    query = query_params(ReceivedQuery, request)
    return await boxes.received(caller, query.after or 0, query.limit)
