"""How an exchange ended and who decided it, for the map and the message list: a refusal decided at
NGSP (access, throttling, a request breaking its schema, an open circuit) never reached the provider,
so the dashboard draws it stopping at the hub; a business refusal (``errorCode`` 106, payment
``error_code`` ``02``, ``KetQua`` 0...) is a refusal even though HTTP said 200.

Judged from what the message log keeps (the operational-monitoring record and the client's answer),
so the live feed and ``GET /api/v1/messages`` agree. Without a logged body (``message_log: metadata``) a
business refusal cannot be seen and counts as ``ok``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import orjson

from ngsp_sim.errors import CircuitOpen, InternalError, LoggingFailed, ServiceFailed
from ngsp_sim.monitoring.record import MessageRecord

__all__ = ["HUB", "REFUSALS", "UNREAD", "Outcome", "judge", "message_event", "native_refusal"]

UNREAD: Any = object()
"""``data`` not given: :func:`judge` reads the answer's bytes itself."""
HUB = "hub"
"""``decidedBy`` of an exchange the platform itself decided."""
Outcome = Literal["ok", "refused", "failed"]


def _code(refusing: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: not isinstance(value, bool) and refusing(value)


REFUSALS: tuple[tuple[str, Callable[[Any], bool]], ...] = (
    ("errorCode", _code(lambda v: v not in (0, None))),  # civil status: 100, 101, 106, 201
    ("KetQua", _code(lambda v: v == 0)),  # one-stop systems
    ("MaLoi", _code(lambda v: v != "00")),  # tax
    ("error_code", _code(lambda v: v not in (0, "00"))),  # payment platform, DVCQG
    ("status", _code(lambda v: v in (0, "FAIL"))),  # social insurance, VDXP
    ("Status", _code(lambda v: v == 0)),  # business registration, reference lists
    ("STATUS", _code(lambda v: v == 0)),  # criminal records
)
"""Native fields that carry a business answer, and which of their values refuse, first found decides."""


def native_refusal(data: Any) -> tuple[str, str] | None:
    """(field, code) when a provider's JSON answer is a business refusal, else None."""
    if not isinstance(data, Mapping):
        return None
    for name, refusing in REFUSALS:
        if name in data:
            value = data[name]
            return (name, str(value)) if refusing(value) else None
    return None


def _failure(fault_code: str) -> bool:
    return fault_code.startswith(ServiceFailed.type) or fault_code in (InternalError.type, LoggingFailed.type)


def judge(
    record: Mapping[str, Any], service: str | None, answer: bytes | None, data: Any = UNREAD
) -> tuple[str, Outcome]:
    """(``decidedBy``, ``outcome``) of one exchange: ``decidedBy`` is ``hub``, the provider's subsystem
    (``VN/GOV/000.00.00.G01/CSDLQGDC``, as the map names it) or, on an LGSP, ``ngsp`` for an error the
    NGSP hub decided (the record's ``decidingTier``: the call went out, but to NGSP, not the provider).
    ``data`` is ``answer`` already read, when the caller has it (the hub wrote ``answer`` from it)."""
    provider = "/".join(service.split("/")[:4]) if service else None
    fault = record.get("faultCode")
    if fault:
        outcome: Outcome = "failed" if _failure(str(fault)) else "refused"
        if tier := record.get("decidingTier"):
            return str(tier), outcome
        at_hub = record.get("requestOutTs") is None or fault == CircuitOpen.type or provider is None
        return (HUB if at_hub else str(provider)), outcome
    decided = provider or HUB
    status = int(record.get("statusCode") or 0)
    if status >= 500:
        return decided, "failed"
    if status >= 400:
        return decided, "refused"
    if data is UNREAD:
        try:
            data = orjson.loads(answer) if answer else None
        except orjson.JSONDecodeError:
            data = None
    return decided, "refused" if native_refusal(data) else "ok"


def message_event(
    record: MessageRecord,
    client: str | None,
    service: str | None,
    answer: bytes,
    injected: Sequence[str],
    data: Any = UNREAD,
) -> dict[str, Any]:
    """The live feed's ``message`` event of one finished exchange: who called what, how it ended and
    who decided it (:func:`judge`; ``data`` is ``answer`` already read, when the hub wrote it from that)."""
    fields = {
        "faultCode": record.faultCode,
        "requestOutTs": record.requestOutTs,
        "statusCode": record.statusCode,
        "decidingTier": record.decidingTier,
    }
    decided_by, outcome = judge(fields, service, answer, data)
    return {
        "messageId": record.messageId,
        "client": client,
        "service": service,
        "status": record.statusCode,
        "succeeded": record.succeeded,
        "faultCode": record.faultCode,
        "ms": (record.responseOutTs or 0) - record.requestInTs,
        "requestInTs": record.requestInTs,
        "injected": ",".join(injected) or None,
        "restPath": record.restPath,  # tells the two wire styles apart (/r1/... or a gateway path)
        "decidedBy": decided_by,
        "outcome": outcome,
    }
