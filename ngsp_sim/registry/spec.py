"""The topology file format, as pydantic models (the file is YAML; see ``demo.yaml``).

These models check each value on its own (identifier characters, QCVN 102 agency codes, URLs,
timeouts); :mod:`ngsp_sim.registry.loader` then checks what refers to what. A fault's own format
(``FaultSpec``) lives with the fault injection it configures, :mod:`ngsp_sim.transport.faults`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    WithJsonSchema,
    model_validator,
)

from adapters.contract import CONTRACT_ADAPTER
from ngsp_sim.identifiers import CLIENT_PATTERN, SERVICE_PATTERN, SUBSYSTEM_PATTERN, ServiceId, SubsystemId, check_part
from ngsp_sim.transport.faults import FaultSpec
from schemas.base import exactly_one_of
from schemas.common import AgencyCode

__all__ = [
    "MODEL_DESCRIPTION",
    "AccessSpec",
    "AgencySpec",
    "Connection",
    "ConnectionModel",
    "FaultSpec",
    "Fingerprint",
    "GatewaySpec",
    "LocalizedName",
    "LogMode",
    "LogModeText",
    "Role",
    "ServiceMode",
    "ServiceSpec",
    "SubsystemSpec",
    "TierSpec",
    "TopologySpec",
    "UpstreamSpec",
    "log_mode",
]

HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
ServiceMode = Literal["enforce", "observe"]
"""How the hub treats a service's schema: ``enforce`` refuses a request (or an answer) that breaks it;
``observe`` (a real ``endpoint`` only) forwards it and reports the violations instead."""
MODE_DESCRIPTION = (
    "enforce (default): a request or an answer that breaks the schema is refused; observe (needs an endpoint): "
    "both are passed on, their violations counted in the X-NGSP-Violations header and kept in the message log"
)
LogMode = Literal["full", "metadata", "off"]
"""What the message log keeps of a provider subsystem's exchanges (X-Road's body logging, and no record)."""


def _yaml_off(value: Any) -> Any:
    return "off" if value is False else value  # YAML 1.1 reads an unquoted `off` as false


LogModeText = Annotated[LogMode, BeforeValidator(_yaml_off)]
"""A :data:`LogMode` as written in a topology file, where ``message_log: off`` arrives as false."""


def log_mode(message_log: LogMode | None, log_bodies: bool) -> LogMode:
    """The message-log mode from ``message_log`` or its older form ``log_bodies`` (false: metadata)."""
    if message_log == "full" and not log_bodies:
        raise ValueError("log_bodies: false contradicts message_log: full (give message_log only)")
    return message_log or ("full" if log_bodies else "metadata")


Connection = Literal["http", "https_no_auth", "https"]
"""How a client information system must connect (X-Road's connection types HTTP, HTTPS_NO_AUTH, HTTPS;
see :mod:`ngsp_sim.security.isauth`)."""
CONNECTION_DESCRIPTION = (
    "How this system must connect as a client (X-Road's connection type): http (plain HTTP or HTTPS, the "
    "default), https_no_auth (TLS required), https (TLS with its registered client certificate)"
)


def _fingerprint(value: str) -> str:
    text = value.replace(":", "").strip().lower()
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        raise ValueError("expected a SHA-256 fingerprint: 64 hex digits, colons allowed")
    return text


Fingerprint = Annotated[
    str, AfterValidator(_fingerprint), WithJsonSchema({"type": "string", "pattern": "^([0-9A-Fa-f]{2}:?){32}$"})
]
"""A certificate's SHA-256 fingerprint (hex, colons allowed), kept as 64 lowercase hex digits."""

Role = Literal["lgsp", "vdxp"]
"""What a subsystem is on the platform, where it is more than a system: an LGSP, or the VDXP axis (the map
draws each in its own band)."""


ConnectionModel = Literal["lgsp_ngsp", "ngsp", "lgsp", "direct"]
"""How a client system connects, Circular 13/2017/TT-BTTTT's four models: through its LGSP and on to NGSP,
to NGSP only, through the LGSP only (local exchange), or directly to its peer (through no platform)."""
MODEL_DESCRIPTION = (
    "Circular 13 connection model: lgsp_ngsp (through its LGSP and on to NGSP), ngsp (to NGSP only: an LGSP "
    "refuses its calls), lgsp (LGSP only: national services refused), direct (to its peer, through no "
    "platform: every hub refuses its calls); omitted: no restriction"
)


def _part(what: str) -> Any:
    return AfterValidator(lambda v: check_part(v, what))


def _parsed(parse: Any) -> Any:
    def check(value: str) -> str:
        parse(value)
        return value

    return AfterValidator(check)


SubsystemIdText = Annotated[
    str, _parsed(SubsystemId.parse), WithJsonSchema({"type": "string", "pattern": SUBSYSTEM_PATTERN})
]
"""A subsystem identifier INSTANCE/CLASS/MEMBER/SUBSYSTEM as text, its rule published as a pattern."""
ServiceIdText = Annotated[str, _parsed(ServiceId.parse), WithJsonSchema({"type": "string", "pattern": SERVICE_PATTERN})]
"""A service identifier INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE as text, its rule published as a pattern."""
ClientIdText = Annotated[
    str, _parsed(SubsystemId.parse_client), WithJsonSchema({"type": "string", "pattern": CLIENT_PATTERN})
]
"""A client: a subsystem, or a member calling as itself (INSTANCE/CLASS/MEMBER), as text."""


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalizedName(_Spec):
    vi: str = Field(min_length=1)
    en: str = Field(min_length=1)


RESERVED_CONTEXTS = frozenset({"r1", "api", "token", "healthz", "readyz", "listClients", "ui", "metrics"})


def _context(value: str) -> str:
    if value in RESERVED_CONTEXTS:
        raise ValueError(f"the API context {value!r} is reserved for the hub's own paths")
    return value


class GatewaySpec(_Spec):
    """Where the service is also published in the NGSP gateway style: /{context}/{version}/{resource}."""

    context: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$"), AfterValidator(_context)]
    version: str = Field(pattern=r"^\d+(\.\d+){0,3}$", description="e.g. 1.0")
    resource: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,128}$", description="Defaults to the code")


class TierSpec(_Spec):
    rate: float = Field(gt=0, le=1_000_000, description="Requests per second, sustained")
    burst: int = Field(ge=1, le=1_000_000, description="Requests allowed at once")


def contract_adapter(data: Any) -> Any:
    """A service given by an OpenAPI ``contract`` is carried by the contract adapter unless one is named."""
    if isinstance(data, dict) and data.get("contract") is not None and "adapter" not in data:
        return {**data, "adapter": CONTRACT_ADAPTER}
    return data


CONTRACT_DESCRIPTION = (
    "An integrator's OpenAPI 3.0/3.1 document describing the provider (in a topology file: its path, relative "
    "to the file); operation names its operationId. Requests are validated against it; without an endpoint a "
    "simulated provider answers from its examples or its response schema"
)
STATEFUL_DESCRIPTION = (
    "Contract services without an endpoint: what a POST or PUT creates is kept (in memory, per hub process) "
    "and returned by a later GET of the same collection by id, listed by a GET of the collection, removed by "
    "a DELETE by id"
)


class ServiceSpec(_Spec):
    code: Annotated[str, _part("service code")]
    adapter: str = Field(description="Name of the adapter carrying this service (e.g. population)")
    operation: str | None = Field(
        default=None, description="Adapter operation (the contract's operationId); defaults to code"
    )
    contract: dict[str, Any] | str | None = Field(default=None, description=CONTRACT_DESCRIPTION)
    stateful: bool = Field(default=False, description=STATEFUL_DESCRIPTION)
    version: str = "v1"
    methods: list[HttpMethod] | None = Field(default=None, description="Defaults to the operation's")
    endpoint: HttpUrl | None = Field(
        default=None, description="Base URL of a real provider; omitted: the subsystem's simulator"
    )
    timeout: float = Field(default=10.0, gt=0, le=300, description="Seconds to wait for the provider")
    disabled: bool = False
    gateway: GatewaySpec | None = Field(default=None, description="Also publish in the NGSP gateway style")
    tier: str | None = Field(default=None, description="Throttling tier of the service (all clients together)")
    mode: ServiceMode = Field(default="enforce", description=MODE_DESCRIPTION)
    upstream: bool = Field(
        default=False,
        description="A national service: this hub (an LGSP) forwards it to its NGSP hub (topology 'upstream') "
        "as its own client, rather than serve it",
    )

    _contract_adapter = model_validator(mode="before")(contract_adapter)


class SubsystemSpec(_Spec):
    code: Annotated[str, _part("subsystem code")]
    name: LocalizedName
    simulator: str | None = Field(default=None, description="Built-in simulated agency serving it")
    simulator_options: dict[str, Any] = Field(
        default_factory=dict, description="Options of the simulated agency, e.g. payment's pay_after seconds"
    )
    message_log: LogModeText | None = Field(
        default=None,
        description="What the message log keeps of the exchanges this subsystem provides: full (bodies too), "
        "metadata (the record without bodies), off (no record); omitted: full, or metadata with log_bodies: false",
    )
    log_bodies: bool = Field(default=True, description="Older form: false is message_log: metadata")
    consumer_key: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9._-]{3,64}$", description="Consumer key for POST /token (gateway style)"
    )
    consumer_secret: str | None = Field(
        default=None, min_length=16, description="DEMO ONLY in a file; omit it and the hub generates one, shown once"
    )
    app_name: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9._-]{1,64}$", description="AppName of the AppName/AccessKey/SecretKey triple"
    )
    access_key: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9._-]{3,64}$",
        description="AccessKey: with SecretKey (and AppName when set) sent as headers on each call, as some LGSPs do",
    )
    secret_key: str | None = Field(
        default=None, min_length=16, description="DEMO ONLY in a file; omit it and the hub generates one, shown once"
    )
    tier: str | None = Field(default=None, description="Throttling tier of this client")
    role: Role | None = Field(
        default=None,
        description="Its place in the platform's layers: lgsp (a local integration platform in front of NGSP), "
        "vdxp (the document-exchange axis); omitted: an agency's own system",
    )
    model: ConnectionModel | None = Field(default=None, description=MODEL_DESCRIPTION)
    connection: Connection = Field(default="http", description=CONNECTION_DESCRIPTION)
    certificates: list[Fingerprint] = Field(
        default_factory=list,
        description="SHA-256 fingerprints of its registered TLS client certificates (connection: https); "
        "omitted: any certificate the hub's CA issued for it (ngsp-sim certs issue)",
    )
    adapters: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Options per adapter name, e.g. login credentials"
    )
    services: list[ServiceSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_log_mode(self) -> SubsystemSpec:
        log_mode(self.message_log, self.log_bodies)
        return self

    @property
    def log_mode(self) -> LogMode:
        return log_mode(self.message_log, self.log_bodies)


class AgencySpec(_Spec):
    code: AgencyCode
    member_class: Annotated[str, _part("member class")] = "GOV"
    name: LocalizedName
    subsystems: list[SubsystemSpec] = Field(default_factory=list)


class AccessSpec(_Spec):
    """One access right, for one client subsystem or for a named group of clients."""

    model_config = ConfigDict(json_schema_extra=exactly_one_of("client", "group"))

    client: ClientIdText | None = Field(
        default=None, description="INSTANCE/CLASS/MEMBER/SUBSYSTEM, or INSTANCE/CLASS/MEMBER for the member itself"
    )
    group: str | None = Field(default=None, description="A group name from 'groups', instead of one client")
    service: ServiceIdText = Field(description="…/SUBSYSTEM/SERVICE")
    methods: list[HttpMethod] | None = Field(default=None, description="Omitted: every method")
    paths: list[Annotated[str, Field(pattern=r"^/")]] | None = Field(
        default=None, description="Path patterns below the service; * one segment, ** any. Omitted: all"
    )

    @model_validator(mode="after")
    def _one_grantee(self) -> AccessSpec:
        if (self.client is None) == (self.group is None):
            raise ValueError("give either client or group")
        return self


class SubscriptionSpec(_Spec):
    """A webhook subscription declared in the topology (the admin API adds more at run time)."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    topic: str = Field(
        pattern=r"^[a-z][a-z-]*:[A-Za-z0-9.*-]+$",
        description="KIND:KEY: edoc:AGENCY (documents to an agency), dossier-status:PROVINCE (e.g. H29); KEY * for all",
    )
    url: str = Field(pattern=r"^(https?://|sim://)", description="The webhook (http(s)://...)")
    secret: str = Field(min_length=16, description="The HMAC-SHA256 signing secret the subscriber verifies with")
    max_attempts: int = Field(default=8, ge=1, le=100, description="Attempts before the dead-letter list")


class UpstreamSpec(_Spec):
    """The NGSP hub in front of which this hub runs as an LGSP, and who this LGSP is there."""

    url: HttpUrl | None = Field(
        default=None, description="Base URL of the NGSP hub; `ngsp-sim up --upstream URL` gives or replaces it"
    )
    client: ClientIdText = Field(
        description="This LGSP's own client identity at the NGSP hub (its access rights there), e.g. "
        "VN/GOV/000.00.00.H29/LGSP"
    )


class TopologySpec(_Spec):
    instance: Annotated[str, _part("instance")] = "VN"
    agencies: list[AgencySpec] = Field(min_length=1)
    access: list[AccessSpec] = Field(default_factory=list)
    groups: dict[str, list[ClientIdText]] = Field(
        default_factory=dict, description="Named groups of clients (subsystems or members), for access rights"
    )
    tiers: dict[str, TierSpec] = Field(default_factory=dict, description="Throttling tiers by name")
    faults: list[FaultSpec] = Field(default_factory=list, description="Faults injected in front of providers")
    subscriptions: list[SubscriptionSpec] = Field(default_factory=list, description="Webhook subscriptions")
    upstream: UpstreamSpec | None = Field(
        default=None, description="Run as an LGSP: services marked upstream are forwarded to this NGSP hub"
    )
    error_codes: Literal["legacy", "7x"] = Field(
        default="legacy",
        description="How X-Road error types are spelt: legacy (Server.ServerProxy.AccessDenied) or 7x "
        "(server.serverproxy.access_denied, X-Road 7.8 on)",
    )
