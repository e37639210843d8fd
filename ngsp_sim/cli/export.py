"""``ngsp-sim export openapi DIR`` and ``ngsp-sim export postman FILE``: the contracts, as files an
integrator generates a client from or opens in Postman.

Writes, generated from the pydantic models (never by hand):

- ``DIR/services/{INSTANCE}_{CLASS}_{MEMBER}_{SUBSYSTEM}_{SERVICE}.openapi.json``: each service as the hub
  publishes it under ``/r1`` (the same document as the ``getOpenAPI`` metaservice); a service registered
  with ``contract:`` is the integrator's own operation (its path template, parameters and schemas, at the
  server ``/r1/{service}``), where ``getOpenAPI`` serves the whole document as it was registered;
- ``DIR/admin.openapi.json``: the hub's own admin API;
- ``DIR/schemas/{Model}.schema.json``: a JSON Schema (2020-12) per payload model;
- ``DIR/openapi-python-client.yaml``: the client generator's configuration for these documents.

``export postman FILE`` writes a Postman v2.1 collection of the catalog (see :mod:`ngsp_sim.contracts.postman`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import orjson
from pydantic import BaseModel

from ngsp_sim.admin.api import admin_openapi
from ngsp_sim.cli.client import DEFAULT_HUB
from ngsp_sim.cli.common import topology_option
from ngsp_sim.contracts.openapi import GENERATOR_CONFIG, published_openapi
from ngsp_sim.contracts.postman import postman_collection
from ngsp_sim.plugins import installed
from ngsp_sim.registry import load_registry
from ngsp_sim.validation import published

__all__ = ["export"]


@click.group()
def export() -> None:
    """Write the contracts to files.

    OpenAPI 3.1 per service and for the admin API, JSON Schema per payload, a Postman collection.
    """


@export.command()
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path, file_okay=False))
@topology_option
def openapi(directory: Path, topology: Path | None) -> int:
    """OpenAPI per service and for the admin API, JSON Schema per payload, under DIR (created)."""
    plugins = installed()
    registry = load_registry(topology, plugins.adapters, plugins.simulators)
    models: dict[str, type[BaseModel]] = {}
    for service in sorted(registry.services.values(), key=lambda s: str(s.id)):
        _, op = service.carried_by(plugins.adapters)
        name = f"{str(service.id).replace('/', '_')}.openapi.json"
        _write(directory / "services" / name, published_openapi(service, plugins.adapters))
        if service.contract is not None:
            continue  # its schemas are the integrator's, in its document
        for model in (op.request_model, op.query_model, op.response_model):
            if model is not None:
                models[model.__name__] = model
    _write(directory / "admin.openapi.json", admin_openapi())
    (directory / "openapi-python-client.yaml").write_text(GENERATOR_CONFIG)
    for name, model in sorted(models.items()):
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **published(model.model_json_schema())}
        _write(directory / "schemas" / f"{name}.schema.json", schema)
    print(f"wrote {len(registry.services)} service documents, the admin API and {len(models)} schemas to {directory}")
    return 0


@export.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@topology_option
@click.option("--base-url", default=DEFAULT_HUB, show_default=True, help="the hub (collection variable baseUrl)")
def postman(file: Path, topology: Path | None, base_url: str) -> int:
    """A Postman v2.1 collection of the catalog, with demo credentials, in FILE."""
    plugins = installed()
    registry = load_registry(topology, plugins.adapters, plugins.simulators)
    collection = postman_collection(registry, plugins.adapters, base_url)
    _write(file, collection)
    count = sum(len(folder["item"]) for folder in collection["item"])
    print(f"wrote {count} requests in {len(collection['item'])} folders to {file}")
    return 0


def _write(path: Path, document: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")
