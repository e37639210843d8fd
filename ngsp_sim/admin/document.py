"""The admin API's document: a route of the table (:class:`Route`) and the OpenAPI 3.1 generated from the
table (:func:`openapi_of`), so that ``/api/v1/openapi.json`` says what the handlers do (the table itself is
:data:`ngsp_sim.admin.api.ROUTES`)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from ngsp_sim.admin.handlers import Handler
from ngsp_sim.admin.links import add_links
from ngsp_sim.admin.parameters import path_parameter, query_parameter
from ngsp_sim.validation import published
from schemas.admin import AdminError

__all__ = ["Route", "openapi_of"]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler
    summary: str
    response: type[BaseModel] | None = None
    request: type[BaseModel] | None = None
    query: tuple[str, ...] = ()
    from_path: str | None = None
    """A field of the request body that the path fills (and overrides): optional in the body."""
    stream: bool = False
    """The answer is a stream of server-sent events (``text/event-stream``), not a JSON document."""
    status: int = 200
    """The success status (201 where the call creates what it answers)."""


_EVENTS = (
    "Server-sent events, one per block: `id` (resume with Last-Event-ID or ?after=), `event` (message, edoc, "
    "delivery, event, scenario) and `data` (one JSON object); a comment line every 15 s keeps proxies open"
)


def _content(r: Route, refs: Any) -> dict[str, Any]:
    if r.stream:
        return {"content": {"text/event-stream": {"schema": {"type": "string", "description": _EVENTS}}}}
    return {"content": {"application/json": {"schema": refs[(r.response, "validation")]}}} if r.response else {}


def openapi_of(routes: Sequence[Route]) -> dict[str, Any]:
    """OpenAPI 3.1 of the admin API, generated from its route table and the routes' models."""
    ref = "#/components/schemas/{model}"
    models = {m for r in routes for m in (r.response, r.request) if m} | {AdminError}
    refs, defs = models_json_schema(
        [(m, "validation") for m in sorted(models, key=lambda m: m.__name__)], ref_template=ref
    )
    error = {"content": {"application/json": {"schema": refs[(AdminError, "validation")]}}}
    paths: dict[str, Any] = {}
    for r in routes:
        path = r.path.replace("{id:(?s:.+)}", "{id}")
        names = [n for n in ("id", "name", "key") if "{" + n + "}" in path]
        op: dict[str, Any] = {
            "summary": r.summary,
            "operationId": f"{r.method.lower()}_{r.handler.__name__}",
            "security": [{"adminToken": []}],
            "responses": {
                str(r.status): {"description": "Created" if r.status == 201 else "OK", **_content(r, refs)},
                "400": {"description": "Invalid input", **error},
                "401": {"description": "Missing or wrong admin token", **error},
                "404": {"description": "Not found", **error},
                "409": {
                    "description": "In conflict with the registry as it stands (a change naming what is not declared)",
                    **error,
                },
                "429": {
                    "description": "Too many wrong admin tokens (from this address or in all); see Retry-After",
                    **error,
                },
            },
        }
        params = [query_parameter(path, q) for q in r.query] + [path_parameter(path, n) for n in names]
        if params:
            op["parameters"] = params
        if r.request is not None:
            schema = refs[(r.request, "validation")]
            if r.from_path is not None:  # the path fills this field: the body may leave it out
                name = f"{r.request.__name__}Body"
                body = copy.deepcopy(defs["$defs"][r.request.__name__])
                body["required"] = [f for f in body.get("required", []) if f != r.from_path]
                body["properties"][r.from_path] = {"description": "Taken from the path; any value here is replaced"}
                body["title"] = name  # generators name models by title: two models titled alike clash
                defs["$defs"][name], schema = body, {"$ref": ref.format(model=name)}
            needed = bool(r.request.model_json_schema().get("required")) or r.from_path is not None
            op["requestBody"] = {"required": needed, "content": {"application/json": {"schema": schema}}}
        paths.setdefault(path, {})[r.method.lower()] = op
    add_links(paths)
    return {
        "openapi": "3.1.0",
        "info": {"title": "ngsp-sim admin API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": published(defs.get("$defs", {})),
            "securitySchemes": {"adminToken": {"type": "http", "scheme": "bearer"}},
        },
    }
