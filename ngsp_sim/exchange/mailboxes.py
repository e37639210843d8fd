"""The document mailboxes of the exchange axis (VDXP): what ``sendEdoc``, ``getReceivedEdocList``,
``getEdoc``, ``updateStatus`` and ``getAgenciesList`` do behind the hub.

Every answer is ``(HTTP status, JSON or edXML bytes)`` in VDXP's own form; refusals are
``{"status": "FAIL", "ErrorDesc": ...}`` with 400 (bad document or rule), 403 (not the caller's to
send, read or answer) or 404 (no such document). The caller is the member code the hub authenticated,
never what the document claims: a document whose ``From/OrganId`` is another agency is refused.

Rules for statuses: a recipient answers a document with 01-06; a recall (``BussinessDocType`` 1, same
``DocumentId``, sent by the original sender to some of its recipients) is answered with 15 (recall
accepted, and the recipient's copy becomes 13 recalled) or 16 (recall refused). 13 is the hub's to set.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import orjson

from adapters.base import NativeFormatError
from adapters.edxml import read_envelope
from ngsp_sim.clock import Clock
from ngsp_sim.monitoring.feed import EventFeed
from ngsp_sim.store.exchange import ExchangeStore, NewEdoc, NewEvent, StoredEdoc
from schemas.edxml import STATUS_CODES, Edoc, StatusEnvelope

__all__ = ["Mailboxes", "edoc_topic"]

Answer = tuple[int, Any]
M = TypeVar("M", Edoc, StatusEnvelope)


def edoc_topic(organ_id: str) -> str:
    """The topic of documents and status messages addressed to an agency."""
    return f"edoc:{organ_id}"


def _fail(status: int, text: str) -> Answer:
    return status, {"status": "FAIL", "ErrorDesc": text}


def _read(body: bytes, model: type[M], reading: M | None, what: str) -> M | Answer:
    """``reading`` (the hub's validated reading of ``body``), else ``body`` read here as ``model``; a
    refusal when it is not one."""
    if reading is not None:
        return reading
    try:
        return read_envelope(body, model)
    except NativeFormatError as exc:
        return _fail(400, f"not a valid edXML {what}: {exc}")


class Mailboxes:
    def __init__(
        self,
        store: ExchangeStore,
        clock: Clock,
        agencies: Callable[[], dict[str, str]],
        wake: Callable[[], None],
        feed: EventFeed | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.agencies = agencies
        """Member code -> name of every registered agency (from the registry)."""
        self.wake = wake
        self.feed = feed

    def _ms(self) -> int:
        return int(self.clock.now() * 1000)

    async def send(self, caller: str, body: bytes, reading: Edoc | None = None) -> Answer:
        """``reading``: ``body`` already read and validated (by the hub, in-process); else it is read here."""
        edoc = _read(body, Edoc, reading, "document")
        if isinstance(edoc, tuple):
            return edoc
        header = edoc.header
        if header.From.OrganId != caller:
            return _fail(403, f"From/OrganId {header.From.OrganId} is not the sending agency {caller}")
        recipients = list(dict.fromkeys(to.OrganId for to in header.To))
        known = self.agencies()
        if unknown := [r for r in recipients if r not in known]:
            return _fail(400, f"no agency {', '.join(unknown)} on the axis (see getAgenciesList)")
        if caller in recipients:
            return _fail(400, "an agency cannot send a document to itself")
        digests = []
        for part in edoc.attachments:
            raw = base64.b64decode("".join(part.Value.split()))
            digests.append({"ContentId": part.ContentId, "size": len(raw), "sha256": hashlib.sha256(raw).hexdigest()})
        if edoc.business_type == 1:
            original = await self.store.find_sent(caller, header.DocumentId)
            if original is None:
                return _fail(404, f"nothing to recall: {caller} sent no document {header.DocumentId}")
            sent_to = await self.store.recipients(original.doc_id)
            if stray := [r for r in recipients if r not in sent_to]:
                return _fail(400, f"a recall goes only to the document's recipients; not: {', '.join(stray)}")
        doc_id = uuid.uuid4().hex
        now = self._ms()
        sha = hashlib.sha256(body).hexdigest()
        summary = {
            "docId": doc_id,
            "DocumentId": header.DocumentId,
            "From": caller,
            "Subject": header.Subject,
            "BussinessDocType": edoc.business_type,
            "sha256": sha,
            "ResponseFor": {
                "OrganId": caller,
                "Code": f"{header.Code.CodeNumber}/{header.Code.CodeNotation}",
                "PromulgationDate": header.PromulgationInfo.PromulgationDate,
                "DocumentId": header.DocumentId,
            },
        }
        events = [
            NewEvent(edoc_topic(r), "edoc.received", orjson.dumps({**summary, "To": r}), f"{doc_id}:{r}")
            for r in recipients
        ]
        stored = NewEdoc(
            doc_id, "edoc", caller, header.DocumentId, edoc.business_type, header.Subject, None, None, body, sha, now
        )
        await self.store.accept(stored, recipients, events)
        self._published("accepted", {**summary, "To": recipients})
        self.wake()
        answer = {
            "status": "OK",
            "docId": doc_id,
            "DocumentId": header.DocumentId,
            "recipients": recipients,
            "sha256": sha,
            "attachments": digests,
        }
        return 200, answer

    async def received(self, caller: str, after: int, limit: int) -> Answer:
        rows = await self.store.mailbox(caller, after, limit)
        data = [self._summary(row) for row in rows]
        return 200, {"status": "OK", "data": data, "next": rows[-1].cursor if len(rows) == limit else None}

    @staticmethod
    def _summary(row: StoredEdoc) -> dict[str, Any]:
        return {
            "docId": row.doc_id,
            "kind": row.kind,
            "From": row.sender,
            "DocumentId": row.document_id,
            "Subject": row.subject,
            "BussinessDocType": row.business_type,
            "StatusCode": row.status_code,
            "receivedAt": row.created_ms,
            "sha256": row.sha256,
        }

    async def get(self, caller: str, doc_id: str) -> tuple[int, Any]:
        """``(200, edXML bytes)`` for the sender or a recipient; otherwise a refusal."""
        doc = await self.store.get_edoc(doc_id)
        if doc is None:
            return _fail(404, f"no document {doc_id}")
        if caller != doc.sender and caller not in await self.store.recipients(doc_id):
            return _fail(403, f"{caller} neither sent nor received document {doc_id}")
        return 200, doc.body

    async def update_status(self, caller: str, body: bytes, reading: StatusEnvelope | None = None) -> Answer:
        """``reading``: ``body`` already read and validated, as for :meth:`send`."""
        envelope = _read(body, StatusEnvelope, reading, "status message")
        if isinstance(envelope, tuple):
            return envelope
        status = envelope.edXMLHeader.Status
        if status.From.OrganId != caller:
            return _fail(403, f"From/OrganId {status.From.OrganId} is not the reporting agency {caller}")
        about = status.ResponseFor
        original = await self.store.find_sent(about.OrganId, about.DocumentId)
        if original is None:
            return _fail(404, f"no document {about.DocumentId} sent by {about.OrganId}")
        recipients = await self.store.recipients(original.doc_id)
        if caller not in recipients:
            return _fail(403, f"{caller} is not a recipient of {about.DocumentId}")
        code = status.StatusCode
        if code == "13":
            return _fail(400, "13 (recalled) is set by the axis when a recall is accepted; answer a recall with 15/16")
        if (
            code in ("15", "16")
            and await self.store.find_recall(original.sender, original.document_id or "", caller) is None
        ):
            return _fail(400, f"{code} answers a recall, and {about.DocumentId} has not been recalled from {caller}")
        status_id = uuid.uuid4().hex
        now = self._ms()
        payload = {
            "docId": status_id,
            "about": original.doc_id,
            "DocumentId": original.document_id,
            "From": caller,
            "StatusCode": code,
            "status": STATUS_CODES[code][0],
            "Description": status.Description,
        }
        event = NewEvent(
            edoc_topic(original.sender), "edoc.status", orjson.dumps(payload), f"{status_id}:{original.sender}"
        )
        stored = NewEdoc(
            status_id,
            "status",
            caller,
            original.document_id,
            None,
            None,
            code,
            original.doc_id,
            body,
            hashlib.sha256(body).hexdigest(),
            now,
        )
        await self.store.accept(stored, [original.sender], [event])
        if code == "15":
            await self.store.set_status(original.doc_id, caller, "13", now)
        self._published("status", payload)
        self.wake()
        return 200, {"status": "OK", "docId": status_id, "DocumentId": original.document_id, "StatusCode": code}

    async def agencies_list(self) -> Answer:
        data = [{"OrganId": code, "OrganName": name} for code, name in sorted(self.agencies().items())]
        return 200, {"status": "OK", "data": data}

    def _published(self, status: str, data: dict[str, Any]) -> None:
        if self.feed is not None:
            self.feed.publish("edoc", {"status": status, **data})
