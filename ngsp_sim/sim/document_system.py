"""A simulated document-management system (hệ thống quản lý văn bản) of a ministry or a province,
connected to the exchange axis.

It receives pushes at ``POST /webhook`` (the hub subscribes it to ``edoc:{its agency}`` with a secret
and signs every delivery; a delivery whose signature does not hold is refused with 401). A document
that arrives is answered through the hub with status 01 (arrived) then 03 (accepted); a recall with
15 (recall accepted). Its native ``POST /qlvb/guiVanBan`` (``{"to": [...], "subject": ...,
"recall": DocumentId?}``, read with :class:`SendForm`; anything else is refused with 400) sends a
document, or a recall, through the hub as itself; ``GET /qlvb/vanBan`` shows what it received.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field

from adapters.base import NativeRequest, NativeResponse
from adapters.edxml import build_edoc, build_status
from ngsp_sim.errors import SignatureError
from ngsp_sim.exchange.signing import SIGNATURE_HEADER, verify
from ngsp_sim.sim.base import Handler, SimulatedAgency, json_reply
from ngsp_sim.sim.context import AgencyContext
from schemas.common import AgencyCode

__all__ = ["DocumentSystem", "SendForm"]

VDXP = "VN/GOV/000.00.00.G22/VDXP"


class SendForm(BaseModel):
    """The document system's own form for sending (not an NGSP wire contract)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    to: list[AgencyCode] = Field(min_length=1, description="Recipient agency codes")
    subject: str = Field(default="Công văn", min_length=1, max_length=500)
    recall: str | None = Field(
        default=None, pattern=r"^[0-9A-Z.]+,\d{4}/\d{2}/\d{2},[^/,]+/.+$", description="DocumentId to recall"
    )


class DocumentSystem(SimulatedAgency):
    kind = "document_system"
    invalid = MappingProxyType({"error": "give 'to': a list of agency codes, 'subject' and 'recall' (optional)"})

    def __init__(self, context: AgencyContext) -> None:
        super().__init__(context)
        self.webhook_secret: str | None = secrets.token_urlsafe(32) if context.exchange is not None else None
        """What the hub signs this system's deliveries with (its ``sim://`` subscription); none when it
        runs without a hub, so nothing can be delivered to it."""
        self.inbox: list[dict[str, Any]] = []
        self.statuses: list[dict[str, Any]] = []
        self.sent = 0

    def routes(self) -> Mapping[tuple[str, str], Handler]:
        return {
            ("POST", "/webhook"): self.webhook,
            ("POST", "/qlvb/guiVanBan"): self.taking(SendForm, self.send),
            ("GET", "/qlvb/vanBan"): self.listing,
        }

    @property
    def agency_code(self) -> str:
        return (self.identity or "VN/GOV/000.00.00.G01/QLVB").split("/")[2]

    def _me(self) -> dict[str, str]:
        return {"OrganId": self.agency_code, "OrganName": self.options.get("name", self.agency_code)}

    async def webhook(self, request: NativeRequest) -> NativeResponse:
        if self.webhook_secret is None:
            return json_reply({"error": "not subscribed"}, 409)
        try:
            verify(self.webhook_secret, request.body, request.headers.get(SIGNATURE_HEADER), self.clock.now())
        except SignatureError as exc:
            return json_reply({"error": str(exc)}, 401)
        event = orjson.loads(request.body)
        if "StatusCode" in event:
            self.statuses.append(event)
            return json_reply({"ok": True})
        self.inbox.append(event)
        codes = ["15"] if event.get("BussinessDocType") == 1 else ["01", "03"]
        for code in codes:
            status = build_status(event["ResponseFor"], self._me(), code, self._timestamp())
            answer, _ = await self._call("updateStatus", status)
            if answer != 200:
                return json_reply({"error": f"updateStatus answered {answer}"}, 502)
        return json_reply({"ok": True})

    def _timestamp(self) -> str:
        return datetime.fromtimestamp(self.clock.now(), UTC).strftime("%Y/%m/%d %H:%M:%S")

    async def _call(self, operation: str, body: bytes) -> tuple[int, object]:
        if self.hub is None or self.identity is None:
            return 503, {"ErrorDesc": "not connected to a hub"}
        return await self.hub(self.identity, f"{VDXP}/{operation}", body)

    async def send(self, form: SendForm) -> NativeResponse:
        recipients = [{"OrganId": code} for code in form.to]
        self.sent += 1
        date = self._timestamp()[:10]
        recall = form.recall
        number, notation = recall.split(",")[-1].split("/", 1) if recall else (str(self.sent), "VP")
        edoc = build_edoc(
            self._me(),
            recipients,
            number=number,
            notation=notation,
            date=recall.split(",")[1] if recall else date,
            subject=form.subject,
            timestamp=self._timestamp(),
            business_type=1 if recall else 0,
            reason="Thu hồi" if recall else None,
        )
        status, answer = await self._call("sendEdoc", edoc)
        return json_reply(answer, status)

    async def listing(self, request: NativeRequest) -> NativeResponse:
        return json_reply({"received": self.inbox, "statuses": self.statuses})
