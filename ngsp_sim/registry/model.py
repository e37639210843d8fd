"""The runtime registry: who exists, what they offer, who may call what.

Built from a validated :class:`~ngsp_sim.registry.spec.TopologySpec`; lookups are dictionary reads
on the routing path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from adapters.base import Adapter, Operation
from adapters.contract import ContractAdapter, contract_operation
from ngsp_sim.errors import CodeForm
from ngsp_sim.identifiers import MemberId, ServiceId, SubsystemId
from ngsp_sim.registry.access import AccessRule
from ngsp_sim.registry.spec import (
    Connection,
    ConnectionModel,
    FaultSpec,
    LogMode,
    Role,
    ServiceMode,
    SubscriptionSpec,
    TopologySpec,
)
from ngsp_sim.validation.contract import ContractOperation, read_contract

__all__ = ["Agency", "Registry", "Service", "Subsystem", "Tier", "Upstream"]


@dataclass(frozen=True, slots=True)
class Tier:
    """A named throttling tier of the topology (requests per second with a burst). Defined here, with the
    rest of what the topology says, so that the registry needs nothing from ``security/``, which
    enforces it (``security.throttle``)."""

    name: str
    rate: float
    burst: int


@dataclass(frozen=True, slots=True)
class Agency:
    member: MemberId
    name_vi: str
    name_en: str


@dataclass(frozen=True, slots=True)
class Subsystem:
    id: SubsystemId
    name_vi: str
    name_en: str
    simulator: str | None = None
    adapter_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    message_log: LogMode = "full"
    """What the message log keeps of the exchanges this subsystem provides (see ``SubsystemSpec``)."""
    consumer_key: str | None = None
    consumer_secret: str | None = field(default=None, repr=False)
    tier: str | None = None
    simulator_options: Mapping[str, Any] = field(default_factory=dict)
    role: Role | None = None
    """``lgsp`` or ``vdxp`` (``SubsystemSpec.role``): where the dashboard's map draws it."""
    model: ConnectionModel | None = None
    """Its Circular 13 connection model (``SubsystemSpec.model``); ``None``: no restriction."""
    app_name: str | None = None
    access_key: str | None = None
    secret_key: str | None = field(default=None, repr=False)
    """The ``AppName``/``AccessKey``/``SecretKey`` triple some LGSPs issue (headers on each call)."""
    connection: Connection = "http"
    """How it must connect as a client (``SubsystemSpec.connection``, :mod:`ngsp_sim.security.isauth`)."""
    certificates: frozenset[str] = frozenset()
    """SHA-256 fingerprints of its registered TLS client certificates; empty: those the hub's CA issued it."""

    @property
    def key_pairs(self) -> list[tuple[str, str | None]]:
        """Its (key, secret) pairs in the credential store: the consumer key's, and the access key's."""
        pairs = [(self.consumer_key, self.consumer_secret), (self.access_key, self.secret_key)]
        return [(key, secret) for key, secret in pairs if key is not None]


@dataclass(frozen=True, slots=True)
class Service:
    id: ServiceId
    adapter: str
    operation: str
    version: str
    methods: frozenset[str]
    endpoint: str | None
    timeout: float
    disabled: bool = False
    gateway: tuple[str, str, str] | None = None
    """(context, version, resource) when also published in the NGSP gateway style."""
    tier: str | None = None
    mode: ServiceMode = "enforce"
    """``observe``: requests and answers that break the schema pass, their violations reported."""
    upstream: bool = False
    """A national service that this hub, an LGSP, forwards to its NGSP hub (``Registry.upstream``)."""
    contract: ContractOperation | None = None
    """The integrator's OpenAPI operation, for a service registered with ``contract:``."""
    stateful: bool = False
    """A contract service's simulated provider keeps what a POST or PUT creates (``ServiceSpec.stateful``)."""

    def carried_by(self, adapters: Mapping[str, type[Adapter]]) -> tuple[type[Adapter], Operation]:
        """The adapter class and the operation that carry this service: a contract service's are built
        from its document, every other's come from ``adapters`` (the installed ones)."""
        if self.contract is not None:
            return ContractAdapter, contract_operation(self.contract)
        adapter = adapters[self.adapter]
        return adapter, adapter.operations[self.operation]


@dataclass(frozen=True, slots=True)
class Upstream:
    """The NGSP hub in front of which this hub runs as an LGSP: its URL (``None`` until ``--upstream``
    gives it) and this LGSP's own client identity there."""

    url: str | None
    client: SubsystemId


class Registry:
    def __init__(
        self,
        instance: str,
        agencies: list[Agency],
        subsystems: list[Subsystem],
        services: list[Service],
        rules: list[AccessRule],
        groups: Mapping[str, list[SubsystemId]] | None = None,
        tiers: Mapping[str, Tier] | None = None,
        faults: list[FaultSpec] | None = None,
    ) -> None:
        self.faults = list(faults or [])
        self.upstream: Upstream | None = None
        self.subscriptions: list[SubscriptionSpec] = []
        self.error_codes: CodeForm = "legacy"
        self.instance = instance
        self.agencies = {a.member: a for a in agencies}
        self.subsystems = {s.id: s for s in subsystems}
        self.services = {s.id: s for s in services}
        self.tiers = dict(tiers or {})
        self.groups_of: dict[SubsystemId, list[str]] = {}
        for name, members in (groups or {}).items():
            for member in members:
                self.groups_of.setdefault(member, []).append(name)
        self.gateway = {svc.gateway: svc.id for svc in services if svc.gateway is not None}
        self.rules = list(rules)
        self._rules: dict[tuple[SubsystemId | str, ServiceId], list[AccessRule]] = {}
        for rule in rules:
            grantee: SubsystemId | str = rule.client if rule.client is not None else f"group:{rule.group}"
            self._rules.setdefault((grantee, rule.service), []).append(rule)

    @classmethod
    def from_spec(cls, spec: TopologySpec, default_methods: Mapping[tuple[str, str], frozenset[str]]) -> Registry:
        """``default_methods`` maps (adapter, operation) to the methods that operation accepts."""
        agencies, subsystems, services = [], [], []
        for a in spec.agencies:
            member = MemberId(spec.instance, a.member_class, a.code)
            agencies.append(Agency(member, a.name.vi, a.name.en))
            for s in a.subsystems:
                sub_id = SubsystemId(spec.instance, a.member_class, a.code, s.code)
                subsystems.append(
                    Subsystem(
                        sub_id,
                        s.name.vi,
                        s.name.en,
                        s.simulator,
                        s.adapters,
                        s.log_mode,
                        s.consumer_key,
                        s.consumer_secret,
                        s.tier,
                        s.simulator_options,
                        s.role,
                        s.model,
                        s.app_name,
                        s.access_key,
                        s.secret_key,
                        s.connection,
                        frozenset(s.certificates),
                    )
                )
                for svc in s.services:
                    operation = svc.operation or svc.code
                    contract = read_contract(svc.contract, operation) if isinstance(svc.contract, dict) else None
                    methods: frozenset[str]
                    if svc.methods:
                        methods = frozenset(svc.methods)
                    elif contract is not None:
                        methods = frozenset({contract.method})
                    else:
                        methods = default_methods[(svc.adapter, operation)]
                    gateway = svc.gateway
                    services.append(
                        Service(
                            ServiceId(sub_id, svc.code),
                            svc.adapter,
                            operation,
                            svc.version,
                            methods,
                            str(svc.endpoint) if svc.endpoint else None,
                            svc.timeout,
                            svc.disabled,
                            (gateway.context, gateway.version, gateway.resource or svc.code) if gateway else None,
                            svc.tier,
                            svc.mode,
                            svc.upstream,
                            contract,
                            svc.stateful,
                        )
                    )
        rules = [
            AccessRule(
                SubsystemId.parse_client(r.client) if r.client else None,
                ServiceId.parse(r.service),
                frozenset(r.methods) if r.methods else None,
                tuple(r.paths) if r.paths is not None else None,
                r.group,
            )
            for r in spec.access
        ]
        groups = {name: [SubsystemId.parse_client(m) for m in members] for name, members in spec.groups.items()}
        tiers = {name: Tier(name, t.rate, t.burst) for name, t in spec.tiers.items()}
        registry = cls(spec.instance, agencies, subsystems, services, rules, groups, tiers, spec.faults)
        registry.subscriptions = list(spec.subscriptions)
        registry.error_codes = spec.error_codes
        if spec.upstream is not None:
            url = str(spec.upstream.url) if spec.upstream.url is not None else None
            registry.upstream = Upstream(url, SubsystemId.parse_client(spec.upstream.client))
        return registry

    @property
    def tier(self) -> str:
        """``lgsp`` when this hub runs in front of an NGSP hub (``upstream``), else ``ngsp``."""
        return "lgsp" if self.upstream is not None else "ngsp"

    def has_client(self, client: SubsystemId) -> bool:
        """A registered subsystem, or a registered member calling as itself (no subsystem code)."""
        return client in self.subsystems or (client.is_member and client.member in self.agencies)

    def rules_for(self, client: SubsystemId, service: ServiceId) -> list[AccessRule]:
        """The client's own rules for ``service`` and those of every group it belongs to."""
        grantees: list[SubsystemId | str] = [client, *(f"group:{g}" for g in self.groups_of.get(client, ()))]
        return [rule for grantee in grantees for rule in self._rules.get((grantee, service), ())]

    def is_allowed(self, client: SubsystemId, service: ServiceId, method: str, path: str) -> bool:
        return any(rule.allows(method, path) for rule in self.rules_for(client, service))

    def allowed_services(self, client: SubsystemId, provider: SubsystemId) -> list[Service]:
        return [svc for svc in self.services_of(provider) if self.rules_for(client, svc.id)]

    def limits(self, client: SubsystemId, service: Service) -> dict[tuple[str, str], Tier]:
        """The throttling tiers that apply to ``client`` calling ``service``."""
        limits = {}
        sub = self.subsystems.get(client)
        if sub is not None and sub.tier is not None:
            limits[("client", str(client))] = self.tiers[sub.tier]
        if service.tier is not None:
            limits[("service", str(service.id))] = self.tiers[service.tier]
        return limits

    def faults_for(self, service: ServiceId) -> list[FaultSpec]:
        """Faults aimed at ``service`` itself or at its provider subsystem, in declaration order."""
        names = {str(service), str(service.subsystem), str(service.subsystem.member)}
        return [f for f in self.faults if f.target in names]

    def services_of(self, provider: SubsystemId) -> list[Service]:
        return [svc for svc in self.services.values() if svc.id.subsystem == provider]

    def members(self) -> set[MemberId]:
        return set(self.agencies)
