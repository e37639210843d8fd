"""edXML documents on the document-exchange axis (VDXP): building them, and the mailbox operations.

The hub takes a document or a status message as XML (validated element by element against
``schemas.edxml``) and passes the bytes on unchanged, since a document's signature covers them. The
mailbox answers JSON, except ``getEdoc``, which answers the stored edXML as it was sent; the adapter
parses and checks it before it goes back to the caller.

``build_edoc`` and ``build_status`` write well-formed edXML for simulated agencies, tests, the
benchmark and integrators' fixtures.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar
from xml.sax.saxutils import escape

from pydantic import BaseModel, ValidationError

from adapters.base import Adapter, Exchange, HubCall, HubReply, NativeFormatError, NativeRequest, Operation
from adapters.json_rest import decode_json
from adapters.xml import parse_xml, render_xml, xml_to_data
from schemas.edxml import (
    CALLER_HEADER,
    NAMESPACE,
    NATIVE_PATHS,
    AgenciesList,
    Edoc,
    EdocQuery,
    ReceivedEdocList,
    ReceivedQuery,
    SendEdocResult,
    StatusEnvelope,
    UpdateStatusResult,
)

__all__ = [
    "CALLER_HEADER",
    "EdxmlAdapter",
    "build_edoc",
    "build_status",
    "read_document",
    "read_envelope",
    "render_envelope",
]

ROOT = "edXMLEnvelope"
M = TypeVar("M", bound=BaseModel)
_XML = {"Content-Type": "text/xml; charset=utf-8"}


def render_envelope(content: Mapping[str, Any]) -> bytes:
    """``content`` (the envelope's children, as ``model_dump`` gives them) as an edXML document."""
    parts = [f'<?xml version="1.0" encoding="utf-8"?>\n<edXML:{ROOT} xmlns:edXML="{escape(NAMESPACE)}">']
    render_xml(parts, content, "edXML")
    parts.append(f"</edXML:{ROOT}>")
    return "".join(parts).encode()


def build_edoc(
    sender: Mapping[str, Any],
    recipients: Sequence[Mapping[str, Any]],
    *,
    number: str,
    notation: str,
    date: str,
    subject: str,
    signer: str = "Nguyễn Văn A",
    timestamp: str | None = None,
    business_type: int = 0,
    reason: str | None = None,
    attachments: Sequence[tuple[str, str, bytes]] = (),
    content: str | None = None,
) -> bytes:
    """A document from ``sender`` to ``recipients`` (``{"OrganId": ..., "OrganName": ...}``) with
    attachments ``(name, content type, bytes)``; ``date`` is ``yyyy/MM/dd``."""
    header: dict[str, Any] = {
        "From": dict(sender),
        "To": [dict(r) for r in recipients],
        "DocumentId": f"{sender['OrganId']},{date},{number}/{notation}",
        "Code": {"CodeNumber": number, "CodeNotation": notation},
        "PromulgationInfo": {"Place": "Hà Nội", "PromulgationDate": date},
        "DocumentType": {"Type": 2, "TypeDetail": 1, "TypeName": "Công văn"},
        "Subject": subject,
        "Content": content,
        "SignerInfo": {"Competence": "TL. Bộ trưởng", "Position": "Chánh Văn phòng", "FullName": signer},
    }
    envelope: dict[str, Any] = {
        "edXMLHeader": {
            "MessageHeader": header,
            "TraceHeaderList": {
                "TraceHeader": [{"OrganId": sender["OrganId"], "Timestamp": timestamp or f"{date} 08:00:00"}],
                "Bussiness": {"BussinessDocType": business_type, "BussinessDocReason": reason},
            },
        }
    }
    if attachments:
        envelope["edXMLBody"] = {
            "Attachment": [
                {
                    "ContentId": f"cid:{i + 1}",
                    "ContentType": kind,
                    "AttachmentName": name,
                    "Value": base64.b64encode(data).decode(),
                }
                for i, (name, kind, data) in enumerate(attachments)
            ]
        }
    return render_envelope(envelope)


def build_status(
    document: Mapping[str, Any], sender: Mapping[str, Any], code: str, timestamp: str, description: str = ""
) -> bytes:
    """A status message about ``document`` (its ``ResponseFor``: OrganId, Code, PromulgationDate,
    DocumentId) from ``sender``."""
    status = {
        "ResponseFor": dict(document),
        "From": dict(sender),
        "StatusCode": code,
        "Description": description or None,
        "Timestamp": timestamp,
    }
    return render_envelope({"edXMLHeader": {"Status": status}})


def read_envelope(body: bytes, model: type[M]) -> M:
    """An edXML envelope read into ``model`` (``Edoc`` or ``StatusEnvelope``); unsafe or malformed XML,
    another root, or a breach of the model is a :class:`NativeFormatError` saying which."""
    root = parse_xml(body)
    if root.tag != f"{{{NAMESPACE}}}{ROOT}":
        raise NativeFormatError(f"expected an edXML <{ROOT}>, got <{root.tag}>")
    try:
        return model.model_validate(xml_to_data(root, model))
    except ValidationError as exc:
        raise NativeFormatError(f"the document breaks edXML: {exc}") from None


def read_document(body: bytes) -> Edoc:
    """A stored document read back (``getEdoc``)."""
    return read_envelope(body, Edoc)


class EdxmlAdapter(Adapter):
    name = "edxml"
    speaks_xml = True
    operations = Adapter.operations_dict(
        Operation(
            code="sendEdoc",
            methods=frozenset({"POST"}),
            request_model=Edoc,
            request_xml=(NAMESPACE, ROOT),
            response_model=SendEdocResult,
            summary="Send an edXML document to the mailboxes of its To agencies / Gửi văn bản",
        ),
        Operation(
            code="getReceivedEdocList",
            methods=frozenset({"GET"}),
            query_model=ReceivedQuery,
            response_model=ReceivedEdocList,
            summary="Documents and status messages in the caller's mailbox / Danh sách văn bản đến",
        ),
        Operation(
            code="getEdoc",
            methods=frozenset({"GET"}),
            query_model=EdocQuery,
            response_model=Edoc,
            response_xml=True,
            summary="One document as edXML, as it was sent / Lấy văn bản",
        ),
        Operation(
            code="updateStatus",
            methods=frozenset({"POST"}),
            request_model=StatusEnvelope,
            request_xml=(NAMESPACE, ROOT),
            response_model=UpdateStatusResult,
            summary="Report a document's status back to its sender / Cập nhật trạng thái văn bản",
        ),
        Operation(
            code="getAgenciesList",
            methods=frozenset({"GET"}),
            response_model=AgenciesList,
            summary="Agencies reachable on the axis / Danh sách cơ quan",
        ),
    )

    def exchange(self, call: HubCall) -> Exchange:
        headers = {CALLER_HEADER: call.client_member_code, "Accept": "application/json"}
        query: tuple[tuple[str, str], ...] = ()
        if call.query is not None:
            query = tuple((k, str(v)) for k, v in call.query.model_dump(exclude_none=True, warnings=False).items())
        body, read = b"", None
        if self.operations[call.operation].request_xml is not None:
            body, headers = call.body, {**headers, **_XML}
            read = call.reading(body)
        native = yield NativeRequest(
            call.method, NATIVE_PATHS[call.operation], query=query, headers=headers, body=body, read=read
        )
        if call.operation == "getEdoc" and native.status == 200:
            read_document(native.body)
            return HubReply(200, None, _XML, raw=native.body)
        return HubReply(native.status, decode_json(native.body))
