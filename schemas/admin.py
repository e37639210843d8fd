"""Payloads of the hub's own admin API (``/api/v1``)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AdminError",
    "AgencyInfo",
    "AgencyList",
    "Body",
    "ChangeInfo",
    "ChangeList",
    "CircuitInfo",
    "CircuitList",
    "CredentialInfo",
    "CredentialList",
    "FaultInfo",
    "FaultList",
    "HealthReport",
    "MessageDetail",
    "MessagePage",
    "MessageSummary",
    "Names",
    "RotatedSecret",
    "ServiceHealthInfo",
    "ServiceInfo",
    "ServiceList",
    "SubsystemInfo",
    "VerifyReport",
    "body_bytes",
]


class AdminError(BaseModel):
    error: str = Field(description="unauthorized, invalid, not_found, conflict")
    message: str
    problems: list[str] = Field(default_factory=list)


class MessageSummary(BaseModel):
    id: int = Field(description="Position in the message log; the cursor for paging")
    client: str | None
    service: str | None
    record: dict[str, Any] = Field(description="Operational-monitoring fields, X-Road names")
    violations: list[dict[str, str]] | None = None
    truncated: bool = False
    injected: str | None = Field(default=None, description="Faults injected into this exchange, if any")
    decidedBy: str = Field(
        default="hub",
        description="Where the outcome was decided: hub (NGSP refused or failed it itself) or the provider's "
        "subsystem, VN/GOV/MEMBER/SUBSYSTEM",
    )
    outcome: Literal["ok", "refused", "failed"] = Field(
        default="ok",
        description="refused: the hub or the provider said no, business refusals with HTTP 200 included "
        "(errorCode 106, KetQua 0...); failed: a fault, a timeout, an error of the provider",
    )


class MessagePage(BaseModel):
    items: list[MessageSummary]
    next_cursor: int | None = Field(description="Pass as ?cursor= for the next (older) page; null at the end")


class Body(BaseModel):
    encoding: str = Field(description="utf-8 (text holds it) or base64 (data holds it)")
    text: str | None = None
    data: str | None = None
    size: int


def body_bytes(body: Mapping[str, Any] | None) -> bytes | None:
    """The bytes of a :class:`Body` as the admin API serves it (JSON): ``text`` or base64 ``data``."""
    if body is None:
        return None
    return body["text"].encode() if body.get("text") is not None else base64.b64decode(body.get("data") or "")


class MessageDetail(MessageSummary):
    bodies: dict[str, Body | None] = Field(
        description="client_request, provider_request (native), provider_response (native), client_response"
    )
    prev_hash: str
    hash: str


class ServiceHealthInfo(BaseModel):
    service: str
    successfulRequestCount: int
    unsuccessfulRequestCount: int
    requestMinDuration: int | None
    requestAverageDuration: float | None
    requestMaxDuration: int | None
    lastSuccessfulRequestTimestamp: int | None
    lastUnsuccessfulRequestTimestamp: int | None


class HealthReport(BaseModel):
    since: int = Field(description="Start of the period, ms since the epoch")
    until: int
    services: list[ServiceHealthInfo]


class ServiceInfo(BaseModel):
    service: str
    adapter: str
    operation: str
    version: str
    methods: list[str]
    provider: str = Field(description="An endpoint URL, or 'simulated (KIND)'")
    timeout: float
    disabled: bool
    mode: Literal["enforce", "observe"] = Field(
        default="enforce", description="observe: schema violations are reported (X-NGSP-Violations), not refused"
    )


class ServiceList(BaseModel):
    items: list[ServiceInfo]


class Names(BaseModel):
    vi: str
    en: str


class SubsystemInfo(BaseModel):
    id: str
    name: Names
    simulator: str | None
    services: list[str] = Field(description="Codes of the services it provides")
    role: Literal["lgsp", "vdxp"] | None = Field(
        default=None,
        description="lgsp: a local integration platform (LGSP) in front of NGSP; vdxp: the document-exchange "
        "axis; null: an agency's own system. The dashboard's map draws each in its layer",
    )
    connection: Literal["http", "https_no_auth", "https"] = Field(
        default="http",
        description="How it must connect as a client (X-Road's connection type): http, https_no_auth (TLS), "
        "https (TLS with its registered client certificate)",
    )


class AgencyInfo(BaseModel):
    member: str = Field(description="INSTANCE/CLASS/CODE")
    code: str
    name: Names
    subsystems: list[SubsystemInfo]


class AgencyList(BaseModel):
    items: list[AgencyInfo]
    tier: Literal["ngsp", "lgsp"] = Field(
        default="ngsp", description="This hub's tier: ngsp, or lgsp when it runs in front of an NGSP hub (upstream)"
    )
    upstream: str | None = Field(default=None, description="An LGSP's own client identity at its NGSP hub")


class ChangeInfo(BaseModel):
    id: int
    op: str
    payload: dict[str, Any]
    actor: str
    ts_ms: int


class ChangeList(BaseModel):
    items: list[ChangeInfo]


class CredentialInfo(BaseModel):
    consumer_key: str
    client: str
    source: str = Field(description="topology, generated or rotated")
    updated_ms: int


class CredentialList(BaseModel):
    items: list[CredentialInfo]


class RotatedSecret(BaseModel):
    consumer_key: str
    consumer_secret: str = Field(description="Shown once; only its hash is kept")


class FaultInfo(BaseModel):
    id: str
    target: str
    kind: str
    rate: float
    seed: int
    latency: dict[str, Any] | None = None
    status: int
    body: str | None = None
    content_type: str
    certificate_status: str = Field(default="expired", description="kind certificate: expired or revoked")
    start: float | None = None
    end: float | None = None
    hits: int = Field(description="How many calls this hub process has injected it into")


class FaultList(BaseModel):
    items: list[FaultInfo]


class CircuitInfo(BaseModel):
    provider: str
    state: str = Field(description="closed, open or half_open")
    calls: int = Field(description="Calls in the current window")
    failures: int


class CircuitList(BaseModel):
    items: list[CircuitInfo]


class VerifyReport(BaseModel):
    ok: bool
    checked: int
    broken_id: int | None
    reason: str


# --- the exchange: subscriptions, deliveries ---


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    topic: str = Field(
        pattern=r"^[a-z][a-z-]*:[A-Za-z0-9.*-]+$",
        description="KIND:KEY, e.g. edoc:000.00.00.H29 (documents to an agency) or dossier-status:H29; KEY * for all",
    )
    url: str = Field(pattern=r"^https?://", max_length=2000, description="The webhook")
    id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]{1,64}$", description="Default: generated")
    secret: str | None = Field(default=None, min_length=16, max_length=200, description="Default: generated")
    max_attempts: int = Field(default=8, ge=1, le=100, description="Attempts before the dead-letter list")


class SubscriptionInfo(BaseModel):
    id: str
    topic: str
    url: str
    max_attempts: int
    source: str
    created_ms: int


class SubscriptionCreated(SubscriptionInfo):
    secret: str = Field(description="The signing secret: shown once, here")


class SubscriptionList(BaseModel):
    subscriptions: list[SubscriptionInfo]


class DeliveryInfo(BaseModel):
    id: int
    subscription_id: str
    event_type: str
    topic: str
    idempotency_key: str
    status: Literal["pending", "failed", "delivered", "dead"]
    attempts: int
    next_attempt_ms: int
    last_error: str | None
    created_ms: int
    delivered_ms: int | None


class DeliveryList(BaseModel):
    deliveries: list[DeliveryInfo]
    counts: dict[str, int] = Field(description="Deliveries per status, all subscriptions")


class ReplayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    ids: list[int] = Field(default_factory=list, description="Dead deliveries to replay; empty: every dead one")
    subscription: str | None = Field(default=None, description="Only this subscription's")


class ReplayResult(BaseModel):
    replayed: int
