"""Runtime changes to the registry: typed operations applied to the topology document.

A change is validated twice: its payload against its model here, and the resulting topology against
every rule a topology file must keep (:func:`~ngsp_sim.registry.loader.spec_from_data`). Only a change
that passes both is recorded in the store, with who made it and when.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError, model_validator

from ngsp_sim.errors import ChangeError, ContractError
from ngsp_sim.identifiers import ServiceId, SubsystemId
from ngsp_sim.registry.spec import (
    CONTRACT_DESCRIPTION,
    MODE_DESCRIPTION,
    MODEL_DESCRIPTION,
    STATEFUL_DESCRIPTION,
    AccessSpec,
    ClientIdText,
    Connection,
    ConnectionModel,
    FaultSpec,
    Fingerprint,
    GatewaySpec,
    HttpMethod,
    LocalizedName,
    LogModeText,
    Role,
    ServiceIdText,
    ServiceMode,
    SubsystemIdText,
    contract_adapter,
    log_mode,
)
from ngsp_sim.validation.contract import read_contract

__all__ = [
    "OPERATIONS",
    "ChangeError",
    "DeleteAccess",
    "DeleteFault",
    "DeleteService",
    "PutService",
    "PutServiceTier",
    "PutSubsystem",
    "PutTier",
    "apply_change",
]


class _Change(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class PutService(_Change):
    """Register (or replace) a service. A new agency or subsystem needs its names."""

    service: ServiceIdText = Field(description="INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE")
    adapter: str = Field(description="The adapter carrying the service; omitted with a contract: contract")
    operation: str | None = Field(default=None, description="The adapter's operation, or the contract's operationId")
    contract: dict[str, Any] | None = Field(default=None, description=CONTRACT_DESCRIPTION)
    stateful: bool = Field(default=False, description=STATEFUL_DESCRIPTION)
    version: str = "v1"
    methods: list[HttpMethod] | None = None
    endpoint: HttpUrl | None = None
    timeout: float = Field(default=10.0, gt=0, le=300)
    disabled: bool = False
    gateway: GatewaySpec | None = None
    tier: str | None = None
    mode: ServiceMode = Field(default="enforce", description=MODE_DESCRIPTION)
    subsystem_name: LocalizedName | None = None
    agency_name: LocalizedName | None = None

    _contract_adapter = model_validator(mode="before")(contract_adapter)


class DeleteService(_Change):
    service: ServiceIdText


class PutSubsystem(_Change):
    """Register (or rename) a subsystem, e.g. an integrator's own client system."""

    subsystem: SubsystemIdText
    name: LocalizedName
    agency_name: LocalizedName | None = None
    simulator: str | None = None
    message_log: LogModeText | None = None
    """full, metadata or off; omitted: full (metadata with ``log_bodies: false``)."""
    log_bodies: bool = True
    consumer_key: str | None = None
    app_name: str | None = None
    """AppName of the AppName/AccessKey/SecretKey triple (needs an access key); omitted: unchanged."""
    access_key: str | None = None
    """AccessKey of the triple; its SecretKey the hub generates (``POST /api/v1/credentials/{key}/rotate``
    shows a new one), never taken in a change. Omitted: unchanged."""
    tier: str | None = None
    role: Role | None = None
    model: ConnectionModel | None = Field(default=None, description=MODEL_DESCRIPTION + " (here: unchanged)")
    connection: Connection | None = None
    """http, https_no_auth or https (X-Road's connection type); omitted: unchanged (new: http)."""
    certificates: list[Fingerprint] | None = None
    """SHA-256 fingerprints of its registered TLS client certificates; omitted: unchanged."""

    @model_validator(mode="after")
    def _one_log_mode(self) -> PutSubsystem:
        log_mode(self.message_log, self.log_bodies)
        return self


class PutAccess(AccessSpec):
    """Grant ``client`` access to ``service`` (optionally per method and path); replaces an earlier
    grant of the same client and service."""


class PutTier(_Change):
    """Declare or change a throttling tier; assign it with a subsystem's or a service's ``tier``."""

    name: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    rate: float = Field(gt=0, le=1_000_000)
    burst: int = Field(ge=1, le=1_000_000)


class PutServiceTier(_Change):
    """Assign a declared tier to a registered service (all its clients together), or none (``tier``
    null): what a scenario run does for its story and undoes at its end."""

    service: ServiceIdText
    tier: str | None


class DeleteAccess(_Change):
    client: ClientIdText | None = None
    group: str | None = None
    service: ServiceIdText


def _agency(data: dict[str, Any], sub: SubsystemId, name: LocalizedName | None) -> dict[str, Any]:
    if sub.instance != data.get("instance", "VN"):
        raise ChangeError(
            f"instance {sub.instance} is not this hub's instance {data.get('instance', 'VN')}", status=409
        )
    for agency in data.setdefault("agencies", []):
        if agency["code"] == sub.member_code and agency.get("member_class", "GOV") == sub.member_class:
            return agency  # type: ignore[no-any-return]
    if name is None:
        raise ChangeError(f"agency {sub.member_code} is not registered; give agency_name to register it", status=409)
    agency = {"code": sub.member_code, "member_class": sub.member_class, "name": name.model_dump(), "subsystems": []}
    data["agencies"].append(agency)
    return agency


def _find_agency(data: dict[str, Any], sub: SubsystemId) -> dict[str, Any]:
    for agency in data.get("agencies", []):
        if agency["code"] == sub.member_code and agency.get("member_class", "GOV") == sub.member_class:
            return agency  # type: ignore[no-any-return]
    raise ChangeError(f"agency {sub.member_code} is not registered", status=404)


def _subsystem(
    data: dict[str, Any], sub: SubsystemId, name: LocalizedName | None, agency_name: LocalizedName | None
) -> dict[str, Any]:
    _agency(data, sub, agency_name)
    agency = _find_agency(data, sub)
    for existing in agency.setdefault("subsystems", []):
        if existing["code"] == sub.subsystem_code:
            return existing  # type: ignore[no-any-return]
    if name is None:
        raise ChangeError(f"subsystem {sub} is not registered; give subsystem_name to register it", status=409)
    created = {"code": sub.subsystem_code, "name": name.model_dump(), "services": []}
    agency["subsystems"].append(created)
    return created


def _put_service(data: dict[str, Any], change: PutService) -> None:
    sid = ServiceId.parse(change.service)
    if change.contract is not None:
        try:
            read_contract(change.contract, change.operation or sid.service_code)
        except ContractError as exc:
            raise ChangeError(
                "the contract cannot be used", problems=[f"contract: {p}" for p in exc.problems]
            ) from None
    sub = _subsystem(data, sid.subsystem, change.subsystem_name, change.agency_name)
    spec = change.model_dump(mode="json", exclude={"service", "subsystem_name", "agency_name"}, exclude_none=True)
    spec["code"] = sid.service_code
    services = [s for s in sub.setdefault("services", []) if s["code"] != sid.service_code]
    sub["services"] = [*services, spec]


def _registered(data: dict[str, Any], sid: ServiceId) -> tuple[dict[str, Any], dict[str, Any]]:
    """A registered service's subsystem and service entries; 404 when it is not registered."""
    subsystems = _find_agency(data, sid.subsystem).get("subsystems", [])
    sub: dict[str, Any] = next((s for s in subsystems if s["code"] == sid.subsystem.subsystem_code), {})
    service = next((s for s in sub.get("services", []) if s["code"] == sid.service_code), None)
    if service is None:
        raise ChangeError(f"service {sid} is not registered", status=404)
    return sub, service


def _delete_service(data: dict[str, Any], change: DeleteService) -> None:
    sid = ServiceId.parse(change.service)
    sub, _ = _registered(data, sid)
    sub["services"] = [s for s in sub["services"] if s["code"] != sid.service_code]
    data["access"] = [r for r in data.get("access", []) if r["service"] != change.service]


def _put_subsystem(data: dict[str, Any], change: PutSubsystem) -> None:
    sid = SubsystemId.parse(change.subsystem)
    sub = _subsystem(data, sid, change.name, change.agency_name)
    sub["name"] = change.name.model_dump()
    sub.pop("log_bodies", None)  # the older form, folded into message_log
    sub["message_log"] = log_mode(change.message_log, change.log_bodies)
    for name in (
        "simulator",
        "consumer_key",
        "app_name",
        "access_key",
        "tier",
        "role",
        "model",
        "connection",
        "certificates",
    ):
        if (value := getattr(change, name)) is not None:
            sub[name] = value


def _grantee(rule: dict[str, Any]) -> tuple[Any, Any, Any]:
    return (rule.get("client"), rule.get("group"), rule["service"])


def _put_access(data: dict[str, Any], change: PutAccess) -> None:
    key = (change.client, change.group, change.service)
    rules = [r for r in data.get("access", []) if _grantee(r) != key]
    data["access"] = [*rules, change.model_dump(exclude_none=True)]


def _delete_access(data: dict[str, Any], change: DeleteAccess) -> None:
    rules = data.get("access", [])
    key = (change.client, change.group, change.service)
    kept = [r for r in rules if _grantee(r) != key]
    if len(kept) == len(rules):
        raise ChangeError(f"{change.client or change.group} has no access right to {change.service}", status=404)
    data["access"] = kept


def _put_tier(data: dict[str, Any], change: PutTier) -> None:
    data.setdefault("tiers", {})[change.name] = {"rate": change.rate, "burst": change.burst}


def _put_service_tier(data: dict[str, Any], change: PutServiceTier) -> None:
    _, service = _registered(data, ServiceId.parse(change.service))
    service.pop("tier", None)
    if change.tier is not None:
        service["tier"] = change.tier


class DeleteFault(_Change):
    id: str


def _put_fault(data: dict[str, Any], change: FaultSpec) -> None:
    faults = [f for f in data.get("faults", []) if f["id"] != change.id]
    data["faults"] = [*faults, change.model_dump(mode="json", exclude_none=True)]


def _delete_fault(data: dict[str, Any], change: DeleteFault) -> None:
    faults = data.get("faults", [])
    kept = [f for f in faults if f["id"] != change.id]
    if len(kept) == len(faults):
        raise ChangeError(f"no fault {change.id!r}", status=404)
    data["faults"] = kept


OPERATIONS: dict[str, tuple[type[BaseModel], Callable[[dict[str, Any], Any], None]]] = {
    "put_fault": (FaultSpec, _put_fault),
    "delete_fault": (DeleteFault, _delete_fault),
    "put_tier": (PutTier, _put_tier),
    "put_service": (PutService, _put_service),
    "put_service_tier": (PutServiceTier, _put_service_tier),
    "delete_service": (DeleteService, _delete_service),
    "put_subsystem": (PutSubsystem, _put_subsystem),
    "put_access": (PutAccess, _put_access),
    "delete_access": (DeleteAccess, _delete_access),
}


def apply_change(data: dict[str, Any], op: str, payload: Any) -> None:
    """Apply one change to the topology document ``data`` in place."""
    if op not in OPERATIONS:
        raise ChangeError(f"unknown change {op!r}; known: {', '.join(OPERATIONS)}")
    model, apply = OPERATIONS[op]
    try:
        change = model.model_validate(payload)
    except ValidationError as exc:
        problems = [f"{'.'.join(map(str, e['loc'])) or op}: {e['msg']}" for e in exc.errors(include_url=False)]
        raise ChangeError(f"invalid {op}", problems=problems) from None
    apply(data, change)
