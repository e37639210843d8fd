"""``ngsp-sim validate SERVICE FILE``: check a payload offline against a service's contract, exactly as
the hub would, and print every violation with its location. Exit 0 when valid, 1 with violations,
2 when the file or the service cannot be used.

FILE is the request body: JSON, or XML for XML services (edXML). For a service that takes only query
parameters (GET), FILE is a JSON object of those parameters.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import orjson

from ngsp_sim.errors import HubError, Violation
from ngsp_sim.hub.requests import xml_payload
from ngsp_sim.identifiers import ServiceId
from ngsp_sim.plugins import installed
from ngsp_sim.registry import load_registry
from ngsp_sim.validation import validate

__all__ = ["add_validate_parser", "run_validate"]


def add_validate_parser(commands: Any) -> None:
    parser = commands.add_parser("validate", help="check a payload against a service's contract, offline")
    parser.add_argument(
        "service", help="INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE, e.g. VN/GOV/000.00.00.G22/DVCQG/DongBoHoSoMC"
    )
    parser.add_argument("file", type=Path, help="the request body (JSON, or XML for XML services)")
    parser.add_argument("--topology", type=Path, help="topology YAML (default: the demo country)")
    parser.add_argument("--format", choices=["text", "json"], default="text")


def run_validate(args: argparse.Namespace) -> int:
    registry = load_registry(args.topology, installed().adapters, installed().simulators)
    try:
        service_id = ServiceId.parse(args.service)
    except ValueError as exc:
        raise ValueError(f"{args.service!r} is not a service identifier: {exc}") from None
    service = registry.services.get(service_id)
    if service is None:
        known = sorted(str(s) for s in registry.services if s.subsystem == service_id.subsystem)
        raise ValueError(f"no service {service_id}" + (f"; that subsystem offers: {', '.join(known)}" if known else ""))
    op = installed().adapters[service.adapter].operations[service.operation]
    body = args.file.read_bytes()
    violations: list[Violation]
    if op.request_xml is not None:
        try:
            _, violations = xml_payload(op, body, "text/xml")
        except HubError as exc:
            raise ValueError(f"{args.file}: {exc.message}") from None
    else:
        model = op.request_model or op.query_model
        if model is None:
            raise ValueError(f"{service_id} takes no payload")
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"{args.file}: not valid JSON: {exc}") from None
        _, violations = validate(model, data, "body" if op.request_model else "query")
    if args.format == "json":
        print(json.dumps({"service": str(service_id), "valid": not violations,
                          "violations": [v.as_dict() for v in violations]}, ensure_ascii=False, indent=2))  # fmt: skip
    elif violations:
        print(f"{args.file}: {len(violations)} violation(s) of {service_id}")
        for v in violations:
            print(f"  {v.location}{v.pointer or '/'}: {v.message} [{v.rule}]")
    else:
        print(f"{args.file}: valid {service_id} request")
    return 1 if violations else 0
