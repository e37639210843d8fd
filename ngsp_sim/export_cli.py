"""``ngsp-sim export openapi DIR`` and ``ngsp-sim export postman FILE``: the contracts, as files an
integrator generates a client from or opens in Postman.

Writes, generated from the pydantic models (never by hand):

- ``DIR/services/{INSTANCE}_{CLASS}_{MEMBER}_{SUBSYSTEM}_{SERVICE}.openapi.json``: each service as the hub
  publishes it under ``/r1`` (the same document as the ``getOpenAPI`` metaservice);
- ``DIR/admin.openapi.json``: the hub's own admin API;
- ``DIR/schemas/{Model}.schema.json``: a JSON Schema (2020-12) per payload model.

``export postman FILE`` writes a Postman v2.1 collection of the catalog (see :mod:`ngsp_sim.postman`).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel

from ngsp_sim.hub.admin import admin_openapi
from ngsp_sim.openapi import service_openapi
from ngsp_sim.plugins import installed
from ngsp_sim.postman import postman_collection
from ngsp_sim.registry import load_registry

__all__ = ["add_export_parser", "run_export"]


def add_export_parser(commands: Any) -> None:
    parser = commands.add_parser("export", help="write the contracts (OpenAPI 3.1, JSON Schema) to files")
    kinds = parser.add_subparsers(dest="export_command", required=True, metavar="WHAT")
    openapi = kinds.add_parser("openapi", help="OpenAPI per service and for the admin API, JSON Schema per payload")
    openapi.add_argument("dir", type=Path, help="output directory (created)")
    openapi.add_argument("--topology", type=Path, help="topology YAML (default: the demo country)")
    postman = kinds.add_parser("postman", help="a Postman v2.1 collection of the catalog, with demo credentials")
    postman.add_argument("file", type=Path, help="output file (e.g. ngsp-sim.postman_collection.json)")
    postman.add_argument("--topology", type=Path, help="topology YAML (default: the demo country)")
    postman.add_argument("--base-url", default="http://127.0.0.1:8080", help="the hub (collection variable baseUrl)")


def _write(path: Path, document: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")


def run_export(args: argparse.Namespace) -> int:
    registry = load_registry(args.topology, installed().adapters, installed().simulators)
    if args.export_command == "postman":
        collection = postman_collection(registry, installed().adapters, args.base_url)
        _write(args.file, collection)
        count = sum(len(folder["item"]) for folder in collection["item"])
        print(f"wrote {count} requests in {len(collection['item'])} folders to {args.file}")
        return 0
    models: dict[str, type[BaseModel]] = {}
    for service in sorted(registry.services.values(), key=lambda s: str(s.id)):
        op = installed().adapters[service.adapter].operations[service.operation]
        _write(
            args.dir / "services" / f"{str(service.id).replace('/', '_')}.openapi.json", service_openapi(service, op)
        )
        for model in (op.request_model, op.query_model, op.response_model):
            if model is not None:
                models[model.__name__] = model
    _write(args.dir / "admin.openapi.json", admin_openapi())
    for name, model in sorted(models.items()):
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **model.model_json_schema()}
        _write(args.dir / "schemas" / f"{name}.schema.json", schema)
    print(f"wrote {len(registry.services)} service documents, the admin API and {len(models)} schemas to {args.dir}")
    return 0
