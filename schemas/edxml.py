"""edXML (QCVN 102:2016): official documents and their status messages on the document-exchange axis
(VDXP, ``VN/GOV/000.00.00.G22/VDXP``), namespace ``http://www.mic.gov.vn/TBT/QCVN_102_2016``.

A document is ``edXMLEnvelope`` > ``edXMLHeader`` (``MessageHeader``, ``TraceHeaderList``, ``Signature``)
and ``edXMLBody`` (attachments). A status message is ``edXMLEnvelope`` > ``edXMLHeader`` > ``Status``.
Element names are the standard's. Two simplifications, both said where they apply: attachments travel
inline as base64 ``Attachment`` elements of ``edXMLBody`` (the SDKs' MIME parts are out of scope), and
``Signature`` (XMLDSig) is carried and stored but not verified. The JSON answers of the mailbox
operations (``SendEdocResult``...) are ngsp-sim's own: VDXP's are not public.

Class names are English so that no field shadows its own type (``Code: DocCode``).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from schemas.base import INT64_MAX, INT64_MIN, WireModel
from schemas.common import AgencyCode, EdxmlDate

__all__ = [
    "ATTACHMENT_LIMIT",
    "BUSINESS_DOC_TYPES",
    "CALLER_HEADER",
    "NAMESPACE",
    "NATIVE_PATHS",
    "STATUS_CODES",
    "AgenciesList",
    "AttachmentPart",
    "Edoc",
    "EdocSummary",
    "Header",
    "ReceivedEdocList",
    "SendEdocResult",
    "StatusEnvelope",
    "StatusMessage",
    "UpdateStatusResult",
]

NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
NATIVE_PATHS: Mapping[str, str] = MappingProxyType(
    {op: f"/vdxp/{op}" for op in ("sendEdoc", "getReceivedEdocList", "getEdoc", "updateStatus", "getAgenciesList")}
)
"""Operation -> path of the exchange axis's native face: the adapter sends there, the axis answers there."""
CALLER_HEADER = "X-VDXP-Caller"
"""The calling client's member code, set by the adapter from the hub's own authentication (the hub's
copy wins over anything the client sent)."""
ATTACHMENT_LIMIT = 5 * 1024 * 1024
"""Largest attachment (decoded bytes) the hub accepts."""

STATUS_CODES: dict[str, tuple[str, str]] = {
    "01": ("arrived", "Đã đến"),
    "02": ("rejected", "Từ chối tiếp nhận"),
    "03": ("accepted", "Đã tiếp nhận"),
    "04": ("assigned", "Phân công"),
    "05": ("processing", "Đang xử lý"),
    "06": ("finished", "Hoàn thành"),
    "13": ("recalled", "Đã thu hồi"),
    "15": ("recall accepted", "Đồng ý thu hồi"),
    "16": ("recall refused", "Từ chối thu hồi"),
}
"""Status codes of QCVN 102 that ngsp-sim knows (DOMAIN.md); others are refused, naming these."""

BUSINESS_DOC_TYPES = {0: "new", 1: "revoke", 2: "update", 3: "replace"}

_TIMESTAMP = re.compile(r"\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}")


def _timestamp(value: str) -> str:
    if not _TIMESTAMP.fullmatch(value):
        raise PydanticCustomError(
            "edxml_timestamp", "expected a timestamp as yyyy/MM/dd HH:mm:ss, got '{value}'", {"value": value}
        )
    return value


def _status_code(value: str) -> str:
    if value not in STATUS_CODES:
        known = ", ".join(f"{code} {name}" for code, (name, _) in STATUS_CODES.items())
        raise PydanticCustomError(
            "edxml_status_code", "unknown StatusCode '{value}'; known: {known}", {"value": value, "known": known}
        )
    return value


def _base64(value: str) -> str:
    try:
        raw = base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        raise PydanticCustomError("edxml_base64", "the attachment's Value is not valid base64", {}) from None
    if len(raw) > ATTACHMENT_LIMIT:
        raise PydanticCustomError(
            "edxml_attachment_size",
            "the attachment is {size} bytes; the limit is {limit}",
            {"size": len(raw), "limit": ATTACHMENT_LIMIT},
        )
    return value


EdxmlTimestamp = Annotated[str, AfterValidator(_timestamp)]
KnownStatusCode = Annotated[str, AfterValidator(_status_code)]
Base64Text = Annotated[str, AfterValidator(_base64)]


class Organization(WireModel):
    OrganId: AgencyCode
    OrganizationInCharge: str | None = None
    OrganName: str | None = None
    OrganAdd: str | None = None
    Email: str | None = None
    Telephone: str | None = None
    Fax: str | None = None
    Website: str | None = None


class DocCode(WireModel):
    CodeNumber: str = Field(min_length=1, max_length=11)
    CodeNotation: str = Field(min_length=1, max_length=30)


class Promulgation(WireModel):
    Place: str = Field(min_length=1)
    PromulgationDate: EdxmlDate


class DocType(WireModel):
    Type: int = Field(ge=1, le=2, description="1 legal document, 2 administrative document")
    TypeDetail: int | None = Field(default=None, ge=INT64_MIN, le=INT64_MAX)
    TypeName: str | None = None


class Signer(WireModel):
    Competence: str | None = None
    Position: str | None = None
    FullName: str = Field(min_length=1)


class Places(WireModel):
    Place: list[str] = Field(default_factory=list)


class Other(WireModel):
    Priority: int | None = Field(default=None, ge=0, le=4)
    SphereOfPromulgation: str | None = None
    TyperNotation: str | None = None
    PromulgationAmount: int | None = Field(default=None, ge=0, le=INT64_MAX)
    PageAmount: int | None = Field(default=None, ge=0, le=INT64_MAX)
    Appendixes: str | None = None


class Reply(WireModel):
    """``ResponseFor``: the document this one answers (or a status is about)."""

    OrganId: AgencyCode
    Code: str = Field(min_length=1)
    PromulgationDate: EdxmlDate
    DocumentId: str = Field(min_length=1)


class Header(WireModel):
    """``MessageHeader``."""

    From: Organization
    To: list[Organization] = Field(min_length=1)
    DocumentId: str = Field(description="OrganId,yyyy/MM/dd,Code")
    Code: DocCode
    PromulgationInfo: Promulgation
    DocumentType: DocType
    Subject: str = Field(min_length=1, max_length=500)
    Content: str | None = None
    SignerInfo: Signer
    DueDate: EdxmlDate | None = None
    ToPlaces: Places | None = None
    OtherInfo: Other | None = None
    ResponseFor: list[Reply] = Field(default_factory=list)
    SteeringType: int | None = Field(default=None, ge=0, le=2)

    @model_validator(mode="after")
    def _document_id(self) -> Header:
        expected = (
            f"{self.From.OrganId},{self.PromulgationInfo.PromulgationDate},"
            f"{self.Code.CodeNumber}/{self.Code.CodeNotation}"
        )
        if self.DocumentId != expected:
            raise PydanticCustomError(
                "edxml_document_id",
                "DocumentId must be OrganId,yyyy/MM/dd,CodeNumber/CodeNotation: '{expected}', got '{value}'",
                {"expected": expected, "value": self.DocumentId},
            )
        return self


class Trace(WireModel):
    OrganId: AgencyCode
    Timestamp: EdxmlTimestamp


class Staff(WireModel):
    Department: str | None = None
    Staff: str | None = None
    Mobile: str | None = None
    Email: str | None = None


class Business(WireModel):
    BussinessDocType: int = Field(ge=0, le=3, description="0 new, 1 revoke, 2 update, 3 replace")
    BussinessDocReason: str | None = None
    Paper: int | None = Field(default=None, ge=INT64_MIN, le=INT64_MAX)
    StaffInfo: Staff | None = None


class Traces(WireModel):
    TraceHeader: list[Trace] = Field(default_factory=list)
    Bussiness: Business | None = None


class EdocHeader(WireModel):
    MessageHeader: Header
    TraceHeaderList: Traces | None = None
    Signature: str | None = None


class AttachmentPart(WireModel):
    ContentId: str = Field(min_length=1)
    ContentType: str = Field(min_length=1)
    AttachmentName: str = Field(min_length=1)
    Description: str | None = None
    Value: Base64Text


class EdocBody(WireModel):
    Attachment: list[AttachmentPart] = Field(default_factory=list)


class Edoc(WireModel):
    """The content of a document's ``edXMLEnvelope``."""

    edXMLHeader: EdocHeader
    edXMLBody: EdocBody | None = None

    @property
    def header(self) -> Header:
        return self.edXMLHeader.MessageHeader

    @property
    def business_type(self) -> int:
        traces = self.edXMLHeader.TraceHeaderList
        return traces.Bussiness.BussinessDocType if traces and traces.Bussiness else 0

    @property
    def attachments(self) -> list[AttachmentPart]:
        return self.edXMLBody.Attachment if self.edXMLBody else []


class StatusMessage(WireModel):
    ResponseFor: Reply
    From: Organization
    StatusCode: KnownStatusCode
    Description: str | None = None
    Timestamp: EdxmlTimestamp
    StaffInfo: Staff | None = None


class StatusHeader(WireModel):
    Status: StatusMessage


class StatusEnvelope(WireModel):
    """The content of a status message's ``edXMLEnvelope``."""

    edXMLHeader: StatusHeader


# --- the mailbox operations' JSON answers (ngsp-sim's own shapes) ---


class AttachmentDigest(WireModel):
    ContentId: str
    size: int = Field(ge=INT64_MIN, le=INT64_MAX)
    sha256: str


class SendEdocResult(WireModel):
    status: Literal["OK"]
    docId: str = Field(description="The hub's id of this document, for getEdoc")
    DocumentId: str
    recipients: list[str]
    sha256: str = Field(description="SHA-256 of the edXML as accepted")
    attachments: list[AttachmentDigest] = Field(default_factory=list)


class EdocSummary(WireModel):
    docId: str
    kind: Literal["edoc", "status"]
    From: str
    DocumentId: str | None = None
    Subject: str | None = None
    BussinessDocType: int | None = Field(default=None, ge=INT64_MIN, le=INT64_MAX)
    StatusCode: str | None = None
    receivedAt: int = Field(ge=INT64_MIN, le=INT64_MAX)
    sha256: str


class ReceivedEdocList(WireModel):
    status: Literal["OK"]
    data: list[EdocSummary]
    next: int | None = Field(default=None, description="Pass as `after` for the next page", ge=INT64_MIN, le=INT64_MAX)


class UpdateStatusResult(WireModel):
    status: Literal["OK"]
    docId: str
    DocumentId: str
    StatusCode: str


class AgencyEntry(WireModel):
    OrganId: str
    OrganName: str


class AgenciesList(WireModel):
    status: Literal["OK"]
    data: list[AgencyEntry]


class ReceivedQuery(WireModel):
    after: int | None = Field(default=None, ge=0, description="Only entries after this cursor", le=INT64_MAX)
    limit: int = Field(default=50, ge=1, le=500)


class EdocQuery(WireModel):
    docId: str = Field(min_length=1, max_length=64)
