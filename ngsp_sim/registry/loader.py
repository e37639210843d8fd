"""Loading a topology file: YAML -> :class:`TopologySpec` -> checks of what refers to what.

Every problem is reported, each as ``file:line: path: message`` in the file's order, so a trainer fixing
a topology sees all of them at once: a file with an unknown key is checked further without it, and one
with worse mistakes still has its simulator and adapter names checked. Line numbers come from the YAML
node tree, which PyYAML keeps beside the data.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from adapters.base import Adapter
from adapters.contract import CONTRACT_ADAPTER
from ngsp_sim.errors import ContractError, TopologyError
from ngsp_sim.identifiers import MemberId, ServiceId, SubsystemId
from ngsp_sim.registry.model import Registry
from ngsp_sim.registry.spec import ServiceSpec, TopologySpec
from ngsp_sim.validation.contract import MAX_CONTRACT_BYTES, read_contract
from ngsp_sim.validation.yaml_source import did_you_mean, line_of, parse, sentence, where

__all__ = [
    "BUILT_IN_TOPOLOGIES",
    "DEMO_TOPOLOGY",
    "demo_text",
    "inline_contracts",
    "load_registry",
    "load_spec",
    "read_topology",
    "registry_from_spec",
    "registry_from_text",
    "spec_from_data",
    "with_contracts",
]

DEMO_TOPOLOGY = "demo.yaml"
BUILT_IN_TOPOLOGIES = {"demo": DEMO_TOPOLOGY, "lgsp-hcm": "lgsp-hcm.yaml"}
"""Topologies shipped in the package, by the name ``--topology`` accepts where no such file exists."""

Loc = tuple[int | str, ...]


def spec_from_data(
    data: Any,
    source: str,
    adapters: Mapping[str, type[Adapter]],
    simulators: Mapping[str, Any],
    root: yaml.Node | None = None,
) -> TopologySpec:
    """Validate a topology document (already parsed); ``root`` (its YAML nodes) adds line numbers."""
    if not isinstance(data, dict):
        raise TopologyError(source, [f"{source}: expected a mapping with 'agencies' at the top level"])
    problems: list[tuple[Loc, str]] = []
    spec: TopologySpec | None = None
    try:
        spec = TopologySpec.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        problems += [(err["loc"], sentence(err, TopologySpec)) for err in errors]
        spec = _without_unknown_keys(data, errors)
        if spec is None:
            problems += _name_problems(data, adapters, simulators)
    if spec is not None:
        problems += _reference_problems(spec, adapters, simulators)
    if problems or spec is None:
        problems.sort(key=lambda problem: line_of(root, problem[0]) or 0)  # in the file's order
        raise TopologyError(source, [f"{where(source, root, loc)}: {msg}" for loc, msg in problems])
    return spec


def _without_unknown_keys(data: dict[str, Any], errors: list[ErrorDetails]) -> TopologySpec | None:
    """The spec of ``data`` without its unknown keys, when they were its only mistakes: the references
    can then be checked too, and their problems come in the same report."""
    if any(err["type"] != "extra_forbidden" for err in errors):
        return None
    trimmed = copy.deepcopy(data)
    for err in errors:
        *path, key = err["loc"]
        node: Any = trimmed
        for part in path:
            node = node[part]
        del node[key]
    try:
        return TopologySpec.model_validate(trimmed)
    except ValidationError:
        return None


def _unknown(what: str, name: object, known: Iterable[str]) -> str:
    names = sorted(known)
    return f"unknown {what} {name!r}" + (did_you_mean(name, names) or f"; known: {', '.join(names)}")


def _mappings(value: Any) -> list[tuple[int, dict[str, Any]]]:
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)] if isinstance(value, list) else []


def _name_problems(
    data: dict[str, Any], adapters: Mapping[str, type[Adapter]], simulators: Mapping[str, Any]
) -> list[tuple[Loc, str]]:
    """Simulator and adapter names, checked in a document too wrong to become a spec."""
    found: list[tuple[Loc, str]] = []
    for ai, agency in _mappings(data.get("agencies")):
        for si, sub in _mappings(agency.get("subsystems")):
            at: Loc = ("agencies", ai, "subsystems", si)
            if isinstance(sub.get("simulator"), str) and sub["simulator"] not in simulators:
                found.append(((*at, "simulator"), _unknown("simulator", sub["simulator"], simulators)))
            for vi, svc in _mappings(sub.get("services")):
                if isinstance(svc.get("adapter"), str) and svc["adapter"] not in adapters:
                    found.append(((*at, "services", vi, "adapter"), _unknown("adapter", svc["adapter"], adapters)))
    return found


def _reference_problems(
    spec: TopologySpec, adapters: Mapping[str, type[Adapter]], simulators: Mapping[str, Any]
) -> Iterator[tuple[Loc, str]]:
    seen_members: set[tuple[str, str]] = set()
    subsystems: set[SubsystemId] = set()
    services: set[ServiceId] = set()
    consumer_keys: set[str] = set()
    published: set[tuple[str, str, str]] = set()
    tiers = set(spec.tiers)
    for ai, agency in enumerate(spec.agencies):
        if (agency.member_class, agency.code) in seen_members:
            yield ("agencies", ai, "code"), f"agency {agency.code} is declared twice"
        seen_members.add((agency.member_class, agency.code))
        for si, sub in enumerate(agency.subsystems):
            sub_id = SubsystemId(spec.instance, agency.member_class, agency.code, sub.code)
            where: Loc = ("agencies", ai, "subsystems", si)
            if sub_id in subsystems:
                yield (*where, "code"), f"subsystem {sub_id} is declared twice"
            subsystems.add(sub_id)
            if sub.simulator is not None and sub.simulator not in simulators:
                yield (*where, "simulator"), _unknown("simulator", sub.simulator, simulators)
            for name in sub.adapters:
                if name not in adapters:
                    yield (*where, "adapters", name), f"options for an {_unknown('adapter', name, adapters)}"
            if sub.consumer_key is not None:
                if sub.consumer_key in consumer_keys:
                    yield (*where, "consumer_key"), f"consumer key {sub.consumer_key!r} is used twice"
                consumer_keys.add(sub.consumer_key)
            if sub.consumer_secret is not None and sub.consumer_key is None:
                yield (*where, "consumer_secret"), "a consumer_secret needs a consumer_key"
            if sub.access_key is not None:
                if sub.access_key in consumer_keys:
                    yield (*where, "access_key"), f"key {sub.access_key!r} is used twice (consumer and access keys)"
                consumer_keys.add(sub.access_key)
            for name in ("secret_key", "app_name"):
                if getattr(sub, name) is not None and sub.access_key is None:
                    yield (*where, name), f"{name} needs an access_key"
            if sub.tier is not None and sub.tier not in tiers:
                yield (*where, "tier"), f"unknown tier {sub.tier!r}; declared: {', '.join(sorted(tiers)) or 'none'}"
            for vi, svc in enumerate(sub.services):
                sw: Loc = (*where, "services", vi)
                svc_id = ServiceId(sub_id, svc.code)
                if svc_id in services:
                    yield (*sw, "code"), f"service {svc_id} is declared twice"
                services.add(svc_id)
                if svc.contract is not None:
                    yield from _contract_problems(sw, svc)
                    continue
                adapter = adapters.get(svc.adapter)
                if adapter is None:
                    yield (*sw, "adapter"), _unknown("adapter", svc.adapter, adapters)
                    continue
                operation = adapter.operations.get(svc.operation or svc.code)
                if operation is None:
                    yield (
                        (*sw, "operation" if svc.operation else "code"),
                        (
                            f"adapter {svc.adapter!r} has no operation {svc.operation or svc.code!r}; "
                            f"it carries: {', '.join(sorted(adapter.operations))}"
                        ),
                    )
                elif svc.methods and not set(svc.methods) <= operation.methods:
                    yield (
                        (*sw, "methods"),
                        (f"operation {operation.code} accepts only {', '.join(sorted(operation.methods))}"),
                    )
                if svc.tier is not None and svc.tier not in tiers:
                    yield (*sw, "tier"), f"unknown tier {svc.tier!r}; declared: {', '.join(sorted(tiers)) or 'none'}"
                if svc.gateway is not None:
                    address = (svc.gateway.context, svc.gateway.version, svc.gateway.resource or svc.code)
                    if address in published:
                        yield (*sw, "gateway"), f"/{'/'.join(address)} is published twice"
                    published.add(address)
                if svc.upstream:
                    if spec.upstream is None:
                        yield (*sw, "upstream"), "an upstream service needs the topology's 'upstream' (the NGSP hub)"
                    if svc.endpoint is not None:
                        yield (*sw, "endpoint"), "an upstream service is served by the NGSP hub: give no endpoint"
                elif svc.endpoint is None and sub.simulator is None:
                    yield (
                        (*sw, "endpoint"),
                        ("no provider: give an endpoint URL, or a simulator on the subsystem"),
                    )
                if svc.mode == "observe" and svc.endpoint is None:
                    yield (*sw, "mode"), "observe mode watches a real provider: give its endpoint URL"
    fault_ids: set[str] = set()
    for fi, fault in enumerate(spec.faults):
        if fault.id in fault_ids:
            yield ("faults", fi, "id"), f"fault {fault.id!r} is declared twice"
        fault_ids.add(fault.id)
        try:
            known = ServiceId.parse(fault.target) in services
        except ValueError:
            try:
                known = SubsystemId.parse(fault.target) in subsystems
            except ValueError:
                known = fault.target in {str(s.member) for s in subsystems}
        if not known:
            yield ("faults", fi, "target"), f"{fault.target} is neither a declared service, subsystem nor member"
    declared_members = {MemberId(spec.instance, a.member_class, a.code) for a in spec.agencies}

    def declared(client: str) -> bool:
        found = SubsystemId.parse_client(client)
        return found in subsystems or (found.is_member and found.member in declared_members)

    for name, members in spec.groups.items():
        for mi, member in enumerate(members):
            if not declared(member):
                yield ("groups", name, mi), f"group member {member} is not a declared subsystem or member"
    for ri, rule in enumerate(spec.access):
        if rule.client is not None and not declared(rule.client):
            yield ("access", ri, "client"), f"client {rule.client} is not a declared subsystem or member"
        if rule.group is not None and rule.group not in spec.groups:
            yield ("access", ri, "group"), f"group {rule.group!r} is not declared under 'groups'"
        if ServiceId.parse(rule.service) not in services:
            yield ("access", ri, "service"), f"service {rule.service} is not declared"


def _contract_problems(at: Loc, svc: ServiceSpec) -> Iterator[tuple[Loc, str]]:
    """A contract service: its document readable and holding the operation; no simulator is needed
    (without an endpoint the contract's simulated provider answers)."""
    if not isinstance(svc.contract, dict):
        yield (*at, "contract"), f"the contract file {svc.contract!r} was not read"
        return
    try:
        contract = read_contract(svc.contract, svc.operation or svc.code)
    except ContractError as exc:
        yield from (((*at, "contract"), problem) for problem in exc.problems)
        return
    if svc.adapter != CONTRACT_ADAPTER:
        yield (*at, "adapter"), f"a contract service is carried by the {CONTRACT_ADAPTER!r} adapter; omit adapter"
    if svc.methods and set(svc.methods) != {contract.method}:
        yield (*at, "methods"), f"operation {contract.operation_id} is a {contract.method}"
    if svc.stateful and svc.endpoint is not None:
        yield (
            (*at, "stateful"),
            "stateful is for the contract's simulated provider; a real endpoint keeps its own state",
        )


def inline_contracts(data: Any, source: str, root: yaml.Node | None = None) -> list[str]:
    """Replace each service's ``contract: FILE`` (relative to the topology file ``source``) by the
    document it holds (YAML or JSON); the problems, each naming where, for the files that cannot be read."""
    problems = []
    base = Path(source).parent
    agencies = data.get("agencies") if isinstance(data, dict) else None
    for ai, agency in _mappings(agencies):
        for si, sub in _mappings(agency.get("subsystems")):
            for vi, svc in _mappings(sub.get("services")):
                name = svc.get("contract")
                if not isinstance(name, str):
                    continue
                at: Loc = ("agencies", ai, "subsystems", si, "services", vi, "contract")
                try:
                    text = (base / name).read_bytes()
                    if len(text) > MAX_CONTRACT_BYTES:
                        raise ValueError(f"it is {len(text)} bytes; the limit is {MAX_CONTRACT_BYTES}")
                    svc["contract"] = yaml.safe_load(text)
                except (OSError, ValueError, yaml.YAMLError) as exc:
                    reason = exc.strerror if isinstance(exc, OSError) else str(exc).splitlines()[0]
                    problems.append(f"{where(source, root, at)}: cannot read the contract {name!r}: {reason}")
    return problems


def with_contracts(text: str, source: str) -> str:
    """``text`` with the contract files its services name inlined (as YAML), for the store; ``text`` itself
    when it names none, or when one cannot be read (:func:`load_spec` then says which, with its line)."""
    if "contract" not in text:
        return text
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if inline_contracts(data, source):
        return text
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def load_spec(
    text: str,
    source: str,
    adapters: Mapping[str, type[Adapter]],
    simulators: Mapping[str, Any],
) -> TopologySpec:
    data, root = parse(text, source, TopologyError)
    problems = inline_contracts(data, source, root)
    if problems:
        raise TopologyError(source, problems)
    return spec_from_data(data, source, adapters, simulators, root)


def demo_text(name: str = DEMO_TOPOLOGY) -> str:
    return resources.files("ngsp_sim.registry").joinpath(name).read_text(encoding="utf-8")


def read_topology(path: Path | None) -> tuple[str, str]:
    """(text, source name) of ``path``, or of a topology shipped in the package: the demo country when
    ``path`` is ``None``, or one of :data:`BUILT_IN_TOPOLOGIES` named where no such file exists."""
    if path is None:
        return demo_text(), f"<built-in {DEMO_TOPOLOGY}>"
    if str(path) in BUILT_IN_TOPOLOGIES and not path.exists():
        name = BUILT_IN_TOPOLOGIES[str(path)]
        return demo_text(name), f"<built-in {name}>"
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except OSError as exc:
        raise TopologyError(str(path), [f"cannot read the topology file: {exc.strerror}"]) from None
    except UnicodeDecodeError:
        raise TopologyError(str(path), ["the topology file is not UTF-8 text"]) from None


def load_registry(
    path: Path | None,
    adapters: Mapping[str, type[Adapter]],
    simulators: Mapping[str, Any],
) -> Registry:
    """Load ``path`` (``None``: the demo topology shipped in the package) into a :class:`Registry`."""
    text, source = read_topology(path)
    return registry_from_text(text, source, adapters, simulators)


def registry_from_text(
    text: str,
    source: str,
    adapters: Mapping[str, type[Adapter]],
    simulators: Mapping[str, Any],
) -> Registry:
    return registry_from_spec(load_spec(text, source, adapters, simulators), adapters)


def registry_from_spec(spec: TopologySpec, adapters: Mapping[str, type[Adapter]]) -> Registry:
    defaults = {(name, op.code): op.methods for name, cls in adapters.items() for op in cls.operations.values()}
    return Registry.from_spec(spec, defaults)
