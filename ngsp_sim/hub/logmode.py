"""What the message log keeps of one exchange: the provider subsystem's mode, and the maximum
loggable body size.

X-Road decides body logging by the **service provider's** subsystem (the "producer"): the security
server of either side checks its ``enabled-/disabled-body-logging-local-producer-subsystems`` or
``...-remote-producer-subsystems`` lists for the service's subsystem, never for the client. The hub
plays both security servers and keeps one record, so the provider subsystem's ``message_log`` decides:
``full`` (bodies too), ``metadata`` (the record without bodies, X-Road's ``message-body-logging=false``)
or ``off`` (no record: a security server without the message-log add-on). As X-Road leaves the query
parameters out of a record without bodies, ``metadata`` keeps ``providerPath`` without its query.

A body logged in full that is larger than ``body_limit`` fails the exchange with X-Road's
``logging_failed`` ("Message size exceeds maximum loggable size"), unless the hub is told to
truncate instead (X-Road's ``truncated-body-allowed``). Bodies not logged are not measured.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ngsp_sim.errors import LoggingFailed
from ngsp_sim.identifiers import ServiceId
from ngsp_sim.monitoring.message_log import MessageLogConfig, capture
from ngsp_sim.monitoring.record import MessageRecord
from ngsp_sim.registry import Registry
from ngsp_sim.registry.spec import LogMode
from ngsp_sim.store import MessageEntry

__all__ = ["OVERSIZE_MESSAGE", "check_loggable", "logged_bodies", "logged_record", "mode_of"]

OVERSIZE_MESSAGE = "Message size exceeds maximum loggable size"
"""X-Road's own words (its ``LogManager``), kept so integrators recognise the error."""

Bodies = Sequence[bytes | None]


def mode_of(registry: Registry, service: ServiceId | None) -> LogMode:
    """The provider subsystem's mode; ``full`` when the exchange never named a registered one."""
    sub = registry.subsystems.get(service.subsystem) if service is not None else None
    return sub.message_log if sub is not None else "full"


def check_loggable(config: MessageLogConfig | None, mode: LogMode, bodies: Bodies) -> None:
    """Raise :class:`LoggingFailed` when a body to be logged in full is over the loggable size."""
    if config is None or mode != "full" or config.oversize == "truncate":
        return
    largest = max((len(body) for body in bodies if body is not None), default=0)
    if largest > config.body_limit:
        raise LoggingFailed(
            OVERSIZE_MESSAGE,
            detail=f"a body of {largest} bytes is larger than the {config.body_limit} bytes the message log "
            "keeps; the hub refuses what it cannot log (X-Road: truncated-body-allowed=false)",
            retry=False,
        )


def logged_bodies(mode: LogMode, limit: int, bodies: Bodies) -> tuple[list[bytes | None], bool]:
    """The bodies as stored (none in ``metadata``), each cut to ``limit``, and whether one was cut."""
    if mode != "full":
        return [None] * len(bodies), False
    kept = [capture(body, limit) for body in bodies]
    return [body for body, _ in kept], any(cut for _, cut in kept)


def logged_record(mode: LogMode, record: dict[str, Any]) -> dict[str, Any]:
    """The record as stored: in ``metadata`` the native path loses its query (it can carry personal data)."""
    path = record.get("providerPath")
    if mode == "metadata" and isinstance(path, str):
        record["providerPath"] = path.partition("?")[0]
    return record


def log_entry(
    mode: LogMode,
    limit: int,
    record: MessageRecord,
    bodies: Sequence[bytes | None],
    client: str | None,
    service: str | None,
    violations: list[dict[str, Any]] | None,
) -> MessageEntry:
    """The message log's entry of one exchange as ``mode`` keeps it: ``bodies`` are the client's request,
    the provider's request and answer, and the client's answer, each cut to ``limit``."""
    (client_request, provider_request, provider_response, client_response), truncated = logged_bodies(
        mode, limit, bodies
    )
    return MessageEntry(
        logged_record(mode, record.as_dict()),
        client=client,
        service=service,
        client_request=client_request,
        provider_request=provider_request,
        provider_response=provider_response,
        client_response=client_response,
        violations=violations,
        truncated=truncated,
    )
