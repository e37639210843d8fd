"""``ngsp-sim validate SERVICE FILE``: check a payload offline against a service's contract, exactly as
the hub would, and print every violation with its location. Exit 0 when valid, 1 with violations,
2 when the file or the service cannot be used.

FILE is the request body: JSON, or XML for XML services (edXML). For a service that takes only query
parameters (GET), FILE is a JSON object of those parameters.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
import orjson

from ngsp_sim.cli.common import format_option, topology_option
from ngsp_sim.errors import HubError, Violation
from ngsp_sim.hub.requests import xml_payload
from ngsp_sim.identifiers import ServiceId
from ngsp_sim.plugins import installed
from ngsp_sim.registry import load_registry
from ngsp_sim.validation import validate as check
from ngsp_sim.validation import validate_json

__all__ = ["validate"]


@click.command()
@click.argument("service")
@click.argument("file", type=click.Path(path_type=Path))
@topology_option
@format_option
def validate(service: str, file: Path, topology: Path | None, output: str) -> int:
    """Check a payload against a contract, offline.

    FILE is the request body (JSON, or XML for XML services) of SERVICE.

    SERVICE is INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE, e.g. VN/GOV/000.00.00.G22/DVCQG/DongBoHoSoMC.
    Exit 0 when valid, 1 with violations (each with its location), 2 when FILE or SERVICE cannot be used.
    """
    plugins = installed()
    registry = load_registry(topology, plugins.adapters, plugins.simulators)
    try:
        service_id = ServiceId.parse(service)
    except ValueError as exc:
        raise ValueError(f"{service!r} is not a service identifier: {exc}") from None
    found = registry.services.get(service_id)
    if found is None:
        known = sorted(str(s) for s in registry.services if s.subsystem == service_id.subsystem)
        raise ValueError(f"no service {service_id}" + (f"; that subsystem offers: {', '.join(known)}" if known else ""))
    _, op = found.carried_by(plugins.adapters)
    body = file.read_bytes()
    violations: list[Violation]
    if op.request_xml is not None:
        try:
            _, violations = xml_payload(op, body, "text/xml")
        except HubError as exc:
            raise ValueError(f"{file}: {exc.message}") from None
    else:
        model = op.request_model or op.query_model
        if model is None:
            raise ValueError(f"{service_id} takes no payload")
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"{file}: not valid JSON: {exc}") from None
        if op.request_model is not None:  # a JSON body: strictly, as the hub reads it
            _, violations = validate_json(op.request_model, body, "body")
        else:
            _, violations = check(model, data, "query")
    if output == "json":
        print(
            json.dumps(
                {"service": str(service_id), "valid": not violations, "violations": [v.as_dict() for v in violations]},
                ensure_ascii=False,
                indent=2,
            )
        )
    elif violations:
        print(f"{file}: {len(violations)} violation(s) of {service_id}")
        for v in violations:
            print(f"  {v.location}{v.pointer or '/'}: {v.message} [{v.rule}]")
    else:
        print(f"{file}: valid {service_id} request")
    return 1 if violations else 0
