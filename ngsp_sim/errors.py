"""The one error tree of ngsp-sim.

Every failure the hub itself reports is an :class:`HubError` subclass. Each class carries the X-Road
``type`` it answers with and the HTTP status X-Road uses for it (``Client.*`` 400, ``Server.*`` 500,
with a few more precise 4xx codes for limits). Errors from libraries (pydantic, aiohttp, adapters) are
translated into this tree at the boundary that meets them, never leaked.

    NgspSimError
    ├── TopologyError                          a topology file is wrong (start-up, never on the wire)
    └── HubError                               answered on the wire
        ├── ClientError                        Client.*                                       400
        │   ├── InvalidClientIdentifier        Client.InvalidClientIdentifier
        │   ├── InvalidServiceIdentifier       Client.InvalidServiceIdentifier
        │   ├── InvalidRequest                 Client.InvalidRequest       (malformed body, bad path)
        │   ├── InvalidContentType             Client.InvalidContentType                      415
        │   ├── RequestTooLarge                Client.RequestTooLarge                         413
        │   └── RequestSchemaViolation         Client.SchemaViolation      (+ violations)
        └── ServerError                        Server.*                                       500
            ├── UnknownMember                  Server.ClientProxy.UnknownMember
            ├── UnknownService                 Server.ServerProxy.UnknownService
            ├── ServiceType                    Server.ServerProxy.ServiceType  (method not offered)
            ├── AccessDenied                   Server.ServerProxy.AccessDenied
            ├── ServiceDisabled                Server.ServerProxy.ServiceDisabled
            ├── ServiceFailed                  Server.ServerProxy.ServiceFailed
            │   ├── NetworkError               Server.ServerProxy.ServiceFailed.NetworkError
            │   ├── Timeout                    Server.ServerProxy.ServiceFailed.Timeout
            │   └── ResponseSchemaViolation    Server.ServerProxy.ServiceFailed.SchemaViolation
            └── InternalError                  Server.ServerProxy.InternalError

``SchemaViolation`` codes are ngsp-sim's own: X-Road itself does not validate payloads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

__all__ = [
    "AccessDenied",
    "ClientError",
    "HubError",
    "InternalError",
    "InvalidClientIdentifier",
    "InvalidContentType",
    "InvalidRequest",
    "InvalidServiceIdentifier",
    "NetworkError",
    "NgspSimError",
    "RequestSchemaViolation",
    "RequestTooLarge",
    "ResponseSchemaViolation",
    "ServerError",
    "ServiceDisabled",
    "ServiceFailed",
    "ServiceType",
    "Timeout",
    "TopologyError",
    "UnknownMember",
    "UnknownService",
    "Violation",
    "all_hub_errors",
]


@dataclass(frozen=True, slots=True)
class Violation:
    """One rule a payload breaks.

    ``pointer`` is an RFC 6901 JSON pointer ("" is the whole document) into the part of the message
    that ``location`` names: ``body``, ``query`` (the query parameters seen as one JSON object) or
    ``response`` (the provider's answer). ``rule`` names the broken rule (pydantic's error type or one
    of ours, e.g. ``cccd_province``); ``message`` says what was expected.
    """

    pointer: str
    message: str
    rule: str
    location: str = "body"

    def as_dict(self) -> dict[str, str]:
        return {
            "location": self.location,
            "pointer": self.pointer,
            "message": self.message,
            "rule": self.rule,
        }


class NgspSimError(Exception):
    """Root of every error ngsp-sim raises on purpose."""


class TopologyError(NgspSimError):
    """A topology file cannot be used; ``problems`` lists every reason, each naming where."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{source}: {len(self.problems)} problem(s) in the topology:\n{lines}")


class HubError(NgspSimError):
    """An error the hub answers with on the wire (X-Road error body plus ``X-Road-Error``)."""

    type: ClassVar[str] = "Server.ServerProxy.InternalError"
    status: ClassVar[int] = 500

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def body(self) -> dict[str, Any]:
        """The X-Road REST error body: ``{"type", "message", "detail"}``."""
        return {"type": self.type, "message": self.message, "detail": self.detail}


class _ViolationsMixin(HubError):
    """An error that lists every schema violation found, not just the first."""

    def __init__(self, message: str, violations: Sequence[Violation], *, detail: str | None = None) -> None:
        super().__init__(message, detail=detail)
        self.violations = list(violations)

    def body(self) -> dict[str, Any]:
        return {**super().body(), "violations": [v.as_dict() for v in self.violations]}


class ClientError(HubError):
    type = "Client.InternalError"
    status = 400


class InvalidClientIdentifier(ClientError):
    type = "Client.InvalidClientIdentifier"


class InvalidServiceIdentifier(ClientError):
    type = "Client.InvalidServiceIdentifier"


class InvalidRequest(ClientError):
    type = "Client.InvalidRequest"


class InvalidContentType(ClientError):
    type = "Client.InvalidContentType"
    status = 415


class RequestTooLarge(ClientError):
    type = "Client.RequestTooLarge"
    status = 413


class RequestSchemaViolation(_ViolationsMixin, ClientError):
    type = "Client.SchemaViolation"


class ServerError(HubError):
    type = "Server.ServerProxy.InternalError"
    status = 500


class UnknownMember(ServerError):
    type = "Server.ClientProxy.UnknownMember"


class UnknownService(ServerError):
    type = "Server.ServerProxy.UnknownService"


class ServiceType(ServerError):
    type = "Server.ServerProxy.ServiceType"


class AccessDenied(ServerError):
    type = "Server.ServerProxy.AccessDenied"


class ServiceDisabled(ServerError):
    type = "Server.ServerProxy.ServiceDisabled"


class ServiceFailed(ServerError):
    type = "Server.ServerProxy.ServiceFailed"


class NetworkError(ServiceFailed):
    type = "Server.ServerProxy.ServiceFailed.NetworkError"


class Timeout(ServiceFailed):
    type = "Server.ServerProxy.ServiceFailed.Timeout"


class ResponseSchemaViolation(_ViolationsMixin, ServiceFailed):
    type = "Server.ServerProxy.ServiceFailed.SchemaViolation"


class InternalError(ServerError):
    type = "Server.ServerProxy.InternalError"


def all_hub_errors() -> list[type[HubError]]:
    """Every concrete wire error class, for documentation and for the test that each is mapped."""
    found: list[type[HubError]] = []
    pending: list[type[HubError]] = [HubError]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            if not sub.__name__.startswith("_") and sub not in (ClientError, ServerError):
                found.append(sub)
    return sorted(set(found), key=lambda c: c.type)
