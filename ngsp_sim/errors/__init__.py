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
    ├── WorkerFailed                           a worker of `up --workers N` could not start or died
    ├── PluginError                            an installed plugin cannot be used (start-up)
    ├── SignatureError (ValueError)            a webhook delivery's signature does not hold (receiver side)
    ├── WebhookAnswerError (ValueError)        a subscriber's answer to a delivery is not HTTP/1.x (hub side)
    ├── ContractError (ValueError)             an OpenAPI document cannot be a service's contract
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
            ├── SslAuthenticationFailed        Server.ClientProxy.SslAuthenticationFailed  gateway 900901 (401)
            │                                  (the client's connection type: TLS, its TLS certificate)
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

from ngsp_sim.errors.base import (
    AdminApiError,
    CannotListen,
    ChangeError,
    ContractError,
    HubUnreachable,
    NgspSimError,
    PluginError,
    ScenarioError,
    SignatureError,
    StepFailed,
    StoreInUse,
    StoreMissing,
    TopologyError,
    UnknownConsumer,
    Violation,
    WebhookAnswerError,
    WorkerFailed,
)
from ngsp_sim.errors.wire import (
    AccessDenied,
    CertValidation,
    CircuitOpen,
    ClientCertValidation,
    ClientError,
    ClientIncorrectValidationInfo,
    ClientOutdatedGlobalConf,
    ClientTimestampingFailed,
    CodeForm,
    HeadersTooLarge,
    HubError,
    IncorrectValidationInfo,
    InternalError,
    InvalidClientIdentifier,
    InvalidContentType,
    InvalidCredentials,
    InvalidRequest,
    InvalidServiceIdentifier,
    LoggingFailed,
    MissingCredentials,
    NetworkError,
    OutdatedGlobalConf,
    RequestSchemaViolation,
    RequestTooLarge,
    ResponseSchemaViolation,
    ServerCertValidation,
    ServerError,
    ServerIncorrectValidationInfo,
    ServerOutdatedGlobalConf,
    ServerTimestampingFailed,
    ServiceDisabled,
    ServiceFailed,
    ServiceType,
    SslAuthenticationFailed,
    Throttled,
    Timeout,
    TimestampingFailed,
    TrustPlaneError,
    UnknownMember,
    UnknownService,
    UriTooLong,
    all_hub_errors,
    hub_error_of,
)

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
    "ContractError",
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
    "SslAuthenticationFailed",
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
    "WebhookAnswerError",
    "WorkerFailed",
    "all_hub_errors",
    "hub_error_of",
]
