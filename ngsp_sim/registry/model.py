"""The runtime registry: who exists, what they offer, who may call what.

Built from a validated :class:`~ngsp_sim.registry.spec.TopologySpec`; lookups are dictionary reads
on the routing path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ngsp_sim.identifiers import MemberId, ServiceId, SubsystemId
from ngsp_sim.registry.access import AccessRule
from ngsp_sim.registry.spec import TopologySpec

__all__ = ["Agency", "Registry", "Service", "Subsystem"]


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
    log_bodies: bool = True


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


class Registry:
    def __init__(
        self,
        instance: str,
        agencies: list[Agency],
        subsystems: list[Subsystem],
        services: list[Service],
        rules: list[AccessRule],
    ) -> None:
        self.instance = instance
        self.agencies = {a.member: a for a in agencies}
        self.subsystems = {s.id: s for s in subsystems}
        self.services = {s.id: s for s in services}
        self._rules: dict[tuple[SubsystemId, ServiceId], list[AccessRule]] = {}
        for rule in rules:
            self._rules.setdefault((rule.client, rule.service), []).append(rule)

    @classmethod
    def from_spec(cls, spec: TopologySpec, default_methods: Mapping[tuple[str, str], frozenset[str]]) -> Registry:
        """``default_methods`` maps (adapter, operation) to the methods that operation accepts."""
        agencies, subsystems, services = [], [], []
        for a in spec.agencies:
            member = MemberId(spec.instance, a.member_class, a.code)
            agencies.append(Agency(member, a.name.vi, a.name.en))
            for s in a.subsystems:
                sub_id = SubsystemId(spec.instance, a.member_class, a.code, s.code)
                subsystems.append(Subsystem(sub_id, s.name.vi, s.name.en, s.simulator, s.adapters, s.log_bodies))
                for svc in s.services:
                    operation = svc.operation or svc.code
                    methods = frozenset(svc.methods) if svc.methods else default_methods[(svc.adapter, operation)]
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
                        )
                    )
        rules = [
            AccessRule(
                SubsystemId.parse(r.client),
                ServiceId.parse(r.service),
                frozenset(r.methods) if r.methods else None,
                tuple(r.paths) if r.paths is not None else None,
            )
            for r in spec.access
        ]
        return cls(spec.instance, agencies, subsystems, services, rules)

    def is_allowed(self, client: SubsystemId, service: ServiceId, method: str, path: str) -> bool:
        return any(rule.allows(method, path) for rule in self._rules.get((client, service), ()))

    def allowed_services(self, client: SubsystemId, provider: SubsystemId) -> list[Service]:
        return [svc for svc in self.services_of(provider) if (client, svc.id) in self._rules]

    def rules_for(self, client: SubsystemId, service: ServiceId) -> list[AccessRule]:
        return list(self._rules.get((client, service), ()))

    def services_of(self, provider: SubsystemId) -> list[Service]:
        return [svc for svc in self.services.values() if svc.id.subsystem == provider]

    def members(self) -> set[MemberId]:
        return set(self.agencies)
