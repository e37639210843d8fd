"""The wire errors: :class:`HubError` and its subclasses, each carrying how it is answered in both wire
styles (the X-Road type and status on ``/r1``, the WSO2-style fault on gateway paths; the tree is drawn in
:mod:`ngsp_sim.errors`)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from ngsp_sim.errors.base import NgspSimError, Violation

__all__ = [
    "AccessDenied",
    "CertValidation",
    "CircuitOpen",
    "ClientCertValidation",
    "ClientError",
    "ClientIncorrectValidationInfo",
    "ClientOutdatedGlobalConf",
    "ClientTimestampingFailed",
    "CodeForm",
    "HeadersTooLarge",
    "HubError",
    "IncorrectValidationInfo",
    "InternalError",
    "InvalidClientIdentifier",
    "InvalidContentType",
    "InvalidCredentials",
    "InvalidRequest",
    "InvalidServiceIdentifier",
    "LoggingFailed",
    "MissingCredentials",
    "NetworkError",
    "OutdatedGlobalConf",
    "RequestSchemaViolation",
    "RequestTooLarge",
    "ResponseSchemaViolation",
    "ServerCertValidation",
    "ServerError",
    "ServerIncorrectValidationInfo",
    "ServerOutdatedGlobalConf",
    "ServerTimestampingFailed",
    "ServiceDisabled",
    "ServiceFailed",
    "ServiceType",
    "SslAuthenticationFailed",
    "Throttled",
    "Timeout",
    "TimestampingFailed",
    "TrustPlaneError",
    "UnknownMember",
    "UnknownService",
    "UriTooLong",
    "all_hub_errors",
]


CodeForm = Literal["legacy", "7x"]
"""How X-Road error types are spelt: ``legacy`` (``Server.ServerProxy.AccessDenied``, X-Road up to 7.7)
or ``7x`` (``server.serverproxy.access_denied``, the snake-case codes of X-Road 7.8 on)."""


def _snake(part: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", part).lower()


class HubError(NgspSimError):
    """An error the hub answers with on the wire (X-Road error body plus ``X-Road-Error``, or a
    WSO2-style fault on gateway paths)."""

    type: ClassVar[str] = "Server.ServerProxy.InternalError"
    status: ClassVar[int] = 500
    fault_code: ClassVar[int | None] = None
    """The gateway style's numeric code; ``None``: the gateway status."""
    fault_status: ClassVar[int | None] = None
    """The gateway style's HTTP status; ``None``: the same as ``status``."""
    fault_message: ClassVar[str] = "Runtime Error"
    code_7x: ClassVar[str | None] = None
    """The last part of the snake-case code where X-Road renamed it rather than respelt it."""

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.headers: dict[str, str] = {}
        self.form: CodeForm = "legacy"

    @classmethod
    def code(cls, form: CodeForm = "legacy") -> str:
        """The error's type as X-Road spells it in ``form``: ``legacy`` is :attr:`type` itself; ``7x``
        lower-cases the proxy prefix and writes the rest in snake case (``Server.ServerProxy.AccessDenied``
        -> ``server.serverproxy.access_denied``), or ends with :attr:`code_7x` where X-Road renamed it."""
        if form == "legacy":
            return cls.type
        parts = cls.type.split(".")
        head = [p.lower() for p in parts[:2] if p in ("Client", "Server", "ClientProxy", "ServerProxy")]
        tail = [_snake(p) for p in parts[len(head) :]]
        if cls.code_7x is not None:
            tail = [cls.code_7x]
        return ".".join(head + tail)

    @property
    def wire_type(self) -> str:
        """The type as this error is answered (in :attr:`form`, set by whoever renders it)."""
        return self.code(self.form)

    def body(self) -> dict[str, Any]:
        """The X-Road REST error body: ``{"type", "message", "detail"}``."""
        return {"type": self.wire_type, "message": self.message, "detail": self.detail}

    @classmethod
    def gateway_status(cls) -> int:
        return cls.fault_status or cls.status

    def fault(self) -> dict[str, Any]:
        """The WSO2-style gateway body: ``{"fault": {"code", "message", "description"}}``."""
        return self.fault_of(self.wire_type, self.message, self.detail, self.body().get("violations"))

    @classmethod
    def fault_of(cls, wire_type: str, message: str, detail: str | None, violations: Any = None) -> dict[str, Any]:
        """The gateway body of this error as another hub answered it in the X-Road style (``wire_type``
        spelt as that hub spelt it): what an LGSP renders to a gateway-style caller."""
        fault: dict[str, Any] = {
            "code": cls.fault_code or cls.gateway_status(),
            "message": cls.fault_message,
            "description": message + (f" ({detail})" if detail else ""),
            "type": wire_type,
        }
        if violations is not None:
            fault["violations"] = violations
        return {"fault": fault}


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
    fault_message = "Bad Request"


class MissingCredentials(ClientError):
    type = "Client.MissingCredentials"
    status = 401
    fault_code = 900902
    fault_message = "Missing Credentials"

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message, detail=detail)
        self.headers["WWW-Authenticate"] = 'Bearer realm="ngsp-sim"'


class InvalidCredentials(ClientError):
    type = "Client.InvalidCredentials"
    status = 401
    fault_code = 900901
    fault_message = "Invalid Credentials"

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message, detail=detail)
        self.headers["WWW-Authenticate"] = 'Bearer realm="ngsp-sim", error="invalid_token"'


class Throttled(ClientError):
    type = "Client.Throttled"
    status = 429
    fault_code = 900800
    fault_message = "Message throttled out"

    def __init__(self, message: str, *, retry_after: float, detail: str | None = None) -> None:
        super().__init__(message, detail=detail)
        self.retry_after = retry_after
        self.headers["Retry-After"] = str(max(1, math.ceil(retry_after)))


class UriTooLong(ClientError):
    type = "Client.UriTooLong"
    fault_status = 414
    fault_message = "URI Too Long"


class HeadersTooLarge(ClientError):
    type = "Client.HeadersTooLarge"
    fault_status = 431
    fault_message = "Request Header Fields Too Large"


class InvalidClientIdentifier(ClientError):
    type = "Client.InvalidClientIdentifier"


class InvalidServiceIdentifier(ClientError):
    type = "Client.InvalidServiceIdentifier"


class InvalidRequest(ClientError):
    type = "Client.InvalidRequest"


class InvalidContentType(ClientError):
    type = "Client.InvalidContentType"
    fault_status = 415


class RequestTooLarge(ClientError):
    type = "Client.RequestTooLarge"
    fault_status = 413


class RequestSchemaViolation(_ViolationsMixin, ClientError):
    type = "Client.SchemaViolation"


class ServerError(HubError):
    type = "Server.ServerProxy.InternalError"
    status = 500


class UnknownMember(ServerError):
    type = "Server.ClientProxy.UnknownMember"
    fault_status = 404
    fault_message = "Unknown member"


class UnknownService(ServerError):
    type = "Server.ServerProxy.UnknownService"
    fault_code = 900906
    fault_status = 404
    fault_message = "No matching resource found for given API Request"


class ServiceType(ServerError):
    type = "Server.ServerProxy.ServiceType"


class AccessDenied(ServerError):
    type = "Server.ServerProxy.AccessDenied"
    fault_code = 900908
    fault_status = 403
    fault_message = "Resource forbidden"


class ServiceDisabled(ServerError):
    type = "Server.ServerProxy.ServiceDisabled"


class ServiceFailed(ServerError):
    type = "Server.ServerProxy.ServiceFailed"
    fault_status = 502
    fault_message = "Backend failure"


class NetworkError(ServiceFailed):
    type = "Server.ServerProxy.ServiceFailed.NetworkError"
    fault_code = 101503
    fault_status = 503
    fault_message = "Error connecting to the back end"


class Timeout(ServiceFailed):
    type = "Server.ServerProxy.ServiceFailed.Timeout"
    fault_code = 101504
    fault_status = 504
    fault_message = "Backend connection timeout"


class CircuitOpen(ServiceFailed):
    type = "Server.ServerProxy.ServiceFailed.CircuitOpen"
    fault_code = 303001
    fault_status = 503
    fault_message = "Endpoint suspended"


class ResponseSchemaViolation(_ViolationsMixin, ServiceFailed):
    type = "Server.ServerProxy.ServiceFailed.SchemaViolation"


class LoggingFailed(ServerError):
    """The exchange cannot be logged, so it is refused, as an X-Road security server refuses messages
    it cannot log (X-Road's ``logging_failed``): the message log is full (its store is down or far
    behind; refused before any provider is called, ``retry``: worth trying again shortly), or a body is
    larger than the maximum loggable size (X-Road: "Message size exceeds maximum loggable size")."""

    type = "Server.ServerProxy.LoggingFailed"
    fault_status = 503
    fault_message = "Message log unavailable"

    def __init__(self, message: str, *, detail: str | None = None, retry: bool = True) -> None:
        super().__init__(message, detail=detail)
        if retry:
            self.headers["Retry-After"] = "1"


class InternalError(ServerError):
    type = "Server.ServerProxy.InternalError"


class SslAuthenticationFailed(ServerError):
    """The client's connection does not satisfy its subsystem's connection type (X-Road's
    ``ssl_authentication_failed``, decided by the client's security server): plain HTTP where TLS is
    required, no TLS certificate where one is required, or one that is not the registered one. The
    gateway style answers as WSO2's mutual-TLS authenticator does (900901 Invalid Credentials)."""

    type = "Server.ClientProxy.SslAuthenticationFailed"
    fault_code = 900901
    fault_status = 401
    fault_message = "Invalid Credentials"


class TrustPlaneError(ServerError):
    """A security server's trust plane refuses the exchange: its global configuration, an OCSP response,
    the time-stamping service or a certificate. X-Road names the side: ``Server.ClientProxy.*`` when it is
    the client's security server, ``Server.ServerProxy.*`` when the provider's."""

    fault_status = 500


class OutdatedGlobalConf(TrustPlaneError):
    type = "Server.ServerProxy.OutdatedGlobalConf"
    code_7x = "global_conf_outdated"
    fault_message = "Global configuration expired"


class IncorrectValidationInfo(TrustPlaneError):
    type = "Server.ServerProxy.IncorrectValidationInfo"
    fault_message = "No fresh OCSP response"


class TimestampingFailed(TrustPlaneError):
    type = "Server.ServerProxy.TimestampingFailed"
    fault_message = "Time-stamping service unavailable"


class CertValidation(TrustPlaneError):
    type = "Server.ServerProxy.CertValidation"
    fault_message = "Certificate not valid"


def _sides(concept: type[TrustPlaneError]) -> tuple[type[TrustPlaneError], type[TrustPlaneError]]:
    """The two concrete classes of a trust-plane error: on the client's security server
    (``Server.ClientProxy.*``) and on the provider's (``Server.ServerProxy.*``)."""
    name = concept.type.rsplit(".", 1)[-1]
    return (
        type(f"Client{name}", (concept,), {"type": f"Server.ClientProxy.{name}", "__module__": __name__}),
        type(f"Server{name}", (concept,), {"type": f"Server.ServerProxy.{name}", "__module__": __name__}),
    )


ClientOutdatedGlobalConf, ServerOutdatedGlobalConf = _sides(OutdatedGlobalConf)
ClientIncorrectValidationInfo, ServerIncorrectValidationInfo = _sides(IncorrectValidationInfo)
ClientTimestampingFailed, ServerTimestampingFailed = _sides(TimestampingFailed)
ClientCertValidation, ServerCertValidation = _sides(CertValidation)


def hub_error_of(wire_type: str) -> type[HubError] | None:
    """The wire error class answered with ``wire_type``, in either spelling (``legacy`` or ``7x``)."""
    for error in all_hub_errors():
        if wire_type in (error.type, error.code("7x")):
            return error
    return None


def all_hub_errors() -> list[type[HubError]]:
    """Every concrete wire error class, for documentation and for the test that each is mapped."""
    found: list[type[HubError]] = []
    pending: list[type[HubError]] = [HubError]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            abstract = (ClientError, ServerError, TrustPlaneError, OutdatedGlobalConf, IncorrectValidationInfo)
            if not sub.__name__.startswith("_") and sub not in (*abstract, TimestampingFailed, CertValidation):
                found.append(sub)
    return sorted(set(found), key=lambda c: c.type)
