"""Loading a topology file: YAML -> :class:`TopologySpec` -> checks of what refers to what.

Every problem is reported, each as ``file:line: path: message``, so a trainer fixing a topology sees
all of them at once. Line numbers come from the YAML node tree, which PyYAML keeps beside the data.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from adapters.base import Adapter
from ngsp_sim.errors import TopologyError
from ngsp_sim.identifiers import ServiceId, SubsystemId
from ngsp_sim.registry.model import Registry
from ngsp_sim.registry.spec import TopologySpec

__all__ = ["DEMO_TOPOLOGY", "load_registry", "load_spec", "parse_spec", "registry_from_text"]

DEMO_TOPOLOGY = "demo.yaml"

Loc = tuple[int | str, ...]


def _line_of(node: yaml.Node | None, loc: Sequence[int | str]) -> int | None:
    """The 1-based line of the YAML node at ``loc``, or of its nearest existing parent."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            node = None
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def _path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def parse_spec(text: str, source: str) -> TopologySpec:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = getattr(exc, "problem", None) or str(exc)
        raise TopologyError(source, [f"{where}: not valid YAML: {problem}"]) from None
    if not isinstance(data, dict):
        raise TopologyError(source, [f"{source}: expected a mapping with 'agencies' at the top level"])
    try:
        return TopologySpec.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            line = _line_of(root, err["loc"])
            message = err["msg"].removeprefix("Value error, ")
            problems.append(f"{source}:{line}: {_path(err['loc'])}: {message}")
        raise TopologyError(source, problems) from None


def _reference_problems(
    spec: TopologySpec, adapters: Mapping[str, type[Adapter]], simulators: Mapping[str, Any]
) -> Iterator[tuple[Loc, str]]:
    seen_members: set[tuple[str, str]] = set()
    subsystems: set[SubsystemId] = set()
    services: set[ServiceId] = set()
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
                yield (
                    (*where, "simulator"),
                    (f"unknown simulator {sub.simulator!r}; built-in: {', '.join(sorted(simulators))}"),
                )
            for name in sub.adapters:
                if name not in adapters:
                    yield (*where, "adapters", name), f"options for unknown adapter {name!r}"
            for vi, svc in enumerate(sub.services):
                sw: Loc = (*where, "services", vi)
                svc_id = ServiceId(sub_id, svc.code)
                if svc_id in services:
                    yield (*sw, "code"), f"service {svc_id} is declared twice"
                services.add(svc_id)
                adapter = adapters.get(svc.adapter)
                if adapter is None:
                    yield (
                        (*sw, "adapter"),
                        f"unknown adapter {svc.adapter!r}; known: {', '.join(sorted(adapters))}",
                    )
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
                if svc.endpoint is None and sub.simulator is None:
                    yield (
                        (*sw, "endpoint"),
                        ("no provider: give an endpoint URL, or a simulator on the subsystem"),
                    )
    for ri, rule in enumerate(spec.access):
        if SubsystemId.parse(rule.client) not in subsystems:
            yield ("access", ri, "client"), f"client {rule.client} is not a declared subsystem"
        if ServiceId.parse(rule.service) not in services:
            yield ("access", ri, "service"), f"service {rule.service} is not declared"


def load_spec(
    text: str,
    source: str,
    adapters: Mapping[str, type[Adapter]],
    simulators: Mapping[str, Any],
) -> TopologySpec:
    spec = parse_spec(text, source)
    problems = list(_reference_problems(spec, adapters, simulators))
    if problems:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        raise TopologyError(source, [f"{source}:{_line_of(root, loc)}: {_path(loc)}: {msg}" for loc, msg in problems])
    return spec


def load_registry(
    path: Path | None,
    adapters: Mapping[str, type[Adapter]],
    simulators: Mapping[str, Any],
) -> Registry:
    """Load ``path`` (``None``: the demo topology shipped in the package) into a :class:`Registry`."""
    if path is None:
        source = f"<built-in {DEMO_TOPOLOGY}>"
        text = resources.files("ngsp_sim.registry").joinpath(DEMO_TOPOLOGY).read_text(encoding="utf-8")
    else:
        source = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise TopologyError(source, [f"cannot read the topology file: {exc.strerror}"]) from None
        except UnicodeDecodeError:
            raise TopologyError(source, ["the topology file is not UTF-8 text"]) from None
    return registry_from_text(text, source, adapters, simulators)


def registry_from_text(
    text: str,
    source: str,
    adapters: Mapping[str, type[Adapter]],
    simulators: Mapping[str, Any],
) -> Registry:
    spec = load_spec(text, source, adapters, simulators)
    defaults = {(name, op.code): op.methods for name, cls in adapters.items() for op in cls.operations.values()}
    return Registry.from_spec(spec, defaults)
