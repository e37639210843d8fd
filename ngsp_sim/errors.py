"""The one error tree of ngsp-sim.

Every failure the hub itself reports is an :class:`HubError` subclass. Each class carries how it is
answered in both wire styles: on ``/r1/...`` the X-Road ``type`` and the HTTP status X-Road uses
(``Client.*`` 400, ``Server.*`` 500, as PR-REST 4.6 uses only these two, except 401 for the hub's access
tokens and 429 for throttling, deliberate deviations: see docs/xroad-compliance.md);
on gateway paths (``/{context}/{version}/...``) a WSO2-style ``fault`` with its numeric ``code`` and
status. Errors from libraries (pydantic, aiohttp, adapters) are translated into this tree at the
boundary that meets them, never leaked.

    NgspSimError
    ├── TopologyError                          a topology file is wrong (start-up, never on the wire)
    ├── ScenarioError                          a scenario file is wrong, or names no known scenario
    ├── StoreInUse                             another live hub serves a different topology from the store
    ├── StoreMissing                           a command reads a store that does not exist (it makes none)
    ├── CannotListen                           the address to serve on is taken or not ours (start-up)
    ├── PluginError                            an installed plugin cannot be used (start-up)
    ├── SignatureError (ValueError)            a webhook delivery's signature does not hold (receiver side)
    ├── ChangeError                            a registry change cannot be applied (admin API: 400/404/409)
    ├── UnknownConsumer (LookupError)          no credentials for this consumer key (admin API: 404)
    ├── StepFailed                             a scenario step did not get what it expected (its report)
    ├── AdminApiError                          a client met a hub's admin API refusal (never on the wire)
    │   └── HubUnreachable                     no hub answers at the URL given
    └── HubError                               answered on the wire
        ├── ClientError                        Client.*                                       400
        │   ├── MissingCredentials             Client.MissingCredentials     401   gateway 900902
        │   ├── InvalidCredentials             Client.InvalidCredentials     401   gateway 900901
        │   ├── Throttled                      Client.Throttled              429   gateway 900800
        │   ├── UriTooLong                     Client.UriTooLong             400   gateway 414
        │   ├── HeadersTooLarge                Client.HeadersTooLarge        400   gateway 431
        │   ├── InvalidClientIdentifier        Client.InvalidClientIdentifier
        │   ├── InvalidServiceIdentifier       Client.InvalidServiceIdentifier
        │   ├── InvalidRequest                 Client.InvalidRequest       (malformed body, bad path)
        │   ├── InvalidContentType             Client.InvalidContentType     400   gateway 415
        │   ├── RequestTooLarge                Client.RequestTooLarge        400   gateway 413
        │   └── RequestSchemaViolation         Client.SchemaViolation      (+ violations)
        └── ServerError                        Server.*                                       500
            ├── UnknownMember                  Server.ClientProxy.UnknownMember
            ├── UnknownService                 Server.ServerProxy.UnknownService     gateway 900906 (404)
            ├── ServiceType                    Server.ServerProxy.ServiceType  (method not offered)
            ├── AccessDenied                   Server.ServerProxy.AccessDenied       gateway 900908 (403)
            ├── ServiceDisabled                Server.ServerProxy.ServiceDisabled
            ├── ServiceFailed                  Server.ServerProxy.ServiceFailed
            │   ├── NetworkError               Server.ServerProxy.ServiceFailed.NetworkError  gateway 101503
            │   ├── Timeout                    Server.ServerProxy.ServiceFailed.Timeout       gateway 101504
            │   ├── CircuitOpen                Server.ServerProxy.ServiceFailed.CircuitOpen   gateway 303001
            │   └── ResponseSchemaViolation    Server.ServerProxy.ServiceFailed.SchemaViolation
            ├── LoggingFailed                  Server.ServerProxy.LoggingFailed      gateway 503 (Retry-After if full)
            ├── InternalError                  Server.ServerProxy.InternalError
            └── TrustPlaneError                the trust plane (injected faults ``globalconf``, ``ocsp``,
                │                              ``timestamping``, ``certificate``): Server.ClientProxy.* when
                │                              it is the client's, Server.ServerProxy.* when the provider's
                ├── OutdatedGlobalConf         Server.{Client,Server}Proxy.OutdatedGlobalConf
                ├── IncorrectValidationInfo    Server.{Client,Server}Proxy.IncorrectValidationInfo
                ├── TimestampingFailed         Server.{Client,Server}Proxy.TimestampingFailed
                └── CertValidation             Server.{Client,Server}Proxy.CertValidation
                (one class per side: ClientOutdatedGlobalConf, ServerOutdatedGlobalConf, ...)

Every type also has X-Road's newer snake-case form (X-Road 7.8 on), :meth:`HubError.code` with
``"7x"``: ``server.serverproxy.access_denied``, ``server.clientproxy.global_conf_outdated``. Which form
the hub answers with is the topology's ``error_codes: legacy | 7x`` (default ``legacy``).

``SchemaViolation`` codes are ngsp-sim's own: X-Road itself does not validate payloads. Gateway codes
other than those WSO2 documents (900901, 900902, 900906, 900908, 900800, 101503, 101504) reuse the HTTP
status as the fault code.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import orjson

__all__ = [
    "AccessDenied",
    "AdminApiError",
    "CannotListen",
    "CertValidation",
    "ChangeError",
    "CircuitOpen",
    "ClientCertValidation",
    "ClientError",
    "ClientIncorrectValidationInfo",
    "ClientOutdatedGlobalConf",
    "ClientTimestampingFailed",
    "CodeForm",
    "HeadersTooLarge",
    "HubError",
    "HubUnreachable",
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
    "NgspSimError",
    "OutdatedGlobalConf",
    "PluginError",
    "RequestSchemaViolation",
    "RequestTooLarge",
    "ResponseSchemaViolation",
    "ScenarioError",
    "ServerCertValidation",
    "ServerError",
    "ServerIncorrectValidationInfo",
    "ServerOutdatedGlobalConf",
    "ServerTimestampingFailed",
    "ServiceDisabled",
    "ServiceFailed",
    "ServiceType",
    "SignatureError",
    "StepFailed",
    "StoreInUse",
    "StoreMissing",
    "Throttled",
    "Timeout",
    "TimestampingFailed",
    "TopologyError",
    "TrustPlaneError",
    "UnknownConsumer",
    "UnknownMember",
    "UnknownService",
    "UriTooLong",
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


class ScenarioError(NgspSimError):
    """A scenario cannot be used; ``problems`` lists every reason, each as ``file:line: path: message``."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{source}: {len(self.problems)} problem(s) in the scenario:\n{lines}")


class StoreMissing(NgspSimError):
    """A command that reads or changes what a hub wrote was pointed at a store that does not exist: it
    says so rather than create an empty store (and a new message-log key) in the wrong place."""

    def __init__(self, where: str) -> None:
        self.where = where
        super().__init__(
            f"no store at {where}: start a hub here with `ngsp-sim up`, or name its store with --data-dir DIR "
            "or --store URL"
        )


class StoreInUse(NgspSimError):
    """Another hub, still alive, serves a different topology from the same store: starting would replace
    its topology under it. Replicas share a store only with the same topology file."""

    def __init__(self, store: str, holder: str, seen_ago: float, lease_seconds: float = 15.0) -> None:
        self.store, self.holder = store, holder
        super().__init__(
            f"the store {store} is in use by another hub with a different topology: {holder}, "
            f"alive {seen_ago:.0f} s ago. Starting here would replace its topology under it, so nothing was "
            "changed. Give this hub its own store (--data-dir DIR or --store URL), or stop the other hub first. "
            f"(A hub that was killed frees the store by itself {lease_seconds:.0f} s after it was last alive. "
            "Hub replicas may share one store only with the same topology file.)"
        )


class AdminApiError(NgspSimError):
    """A hub's admin API refused a command (``message`` and the ``problems`` it listed)."""

    def __init__(self, status: int, message: str, problems: Sequence[str] = ()) -> None:
        self.status, self.problems = status, list(problems)
        lines = "".join(f"\n  - {p}" for p in self.problems)
        super().__init__(f"the hub answered {status}: {message}{lines}")

    @classmethod
    def from_answer(cls, status: int, raw: bytes, reason: str = "") -> AdminApiError:
        """The error for an admin-API answer: its JSON ``message`` and ``problems`` (``schemas.admin.AdminError``),
        or the start of a body that is not that (a proxy's page, say). Every admin-API client uses this."""
        try:
            found = orjson.loads(raw)
        except orjson.JSONDecodeError:
            found = None
        if not isinstance(found, dict):
            return cls(status, raw[:200].decode(errors="replace") or reason)
        return cls(status, str(found.get("message", reason)), found.get("problems") or [])


class HubUnreachable(AdminApiError):
    """Nothing answers at the hub's URL: say how to start one rather than the socket's error."""

    def __init__(self, url: str) -> None:
        NgspSimError.__init__(self, f"no hub answers at {url}; start one with `ngsp-sim up`")
        self.status, self.problems, self.url = 0, [], url


class PluginError(NgspSimError):
    """An installed plugin (entry-point group ``ngsp_sim.adapters``) cannot be used: it does not import,
    is neither an adapter nor a simulated agency, or takes a name already taken."""


class CannotListen(NgspSimError, OSError):
    """The listening socket cannot be bound (port in use, address not on this machine). Raised before the
    application starts, so a hub that cannot listen has changed nothing (no store opened, no migration,
    no topology replaced)."""


class SignatureError(NgspSimError, ValueError):
    """A webhook delivery's signature does not hold: tampered, signed with another secret, or replayed
    outside the time tolerance (:func:`ngsp_sim.exchange.signing.verify`)."""


class ChangeError(NgspSimError):
    """A registry change that cannot be applied; ``status`` says how the admin API answers it."""

    def __init__(self, message: str, *, status: int = 400, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.problems = problems or []


class UnknownConsumer(NgspSimError, LookupError):
    """No credentials are kept for this consumer key (rotating or revoking it answers 404)."""


class StepFailed(NgspSimError):
    """A scenario step did not get what it expected; the message says what, for the presenter and the
    report. Never leaves the runner: it becomes the step's ``failed`` status."""


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
        fault: dict[str, Any] = {
            "code": self.fault_code or self.gateway_status(),
            "message": self.fault_message,
            "description": self.message + (f" ({self.detail})" if self.detail else ""),
            "type": self.wire_type,
        }
        if (violations := self.body().get("violations")) is not None:
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
