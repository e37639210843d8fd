"""What the admin API's query and path parameters take, as its OpenAPI document publishes it: the same
types, ranges and choices the handlers enforce (a number is ASCII digits within its range, a flag one
of its words), so that a generated client and a fuzzer meet no disagreement."""

from __future__ import annotations

from typing import Any

from ngsp_sim.admin.exchange import STATUSES
from ngsp_sim.identifiers import SERVICE_PATTERN, SUBSYSTEM_PATTERN

__all__ = ["path_parameter", "query_parameter"]

_POSITION = {"type": "integer", "minimum": 0, "maximum": 2**62}
_MS = {**_POSITION, "description": "Milliseconds since the epoch"}

_QUERY: dict[str, dict[str, Any]] = {
    "client": {"type": "string", "description": "Only this client subsystem, INSTANCE/CLASS/MEMBER/SUBSYSTEM"},
    "service": {"type": "string", "description": "Only this service, INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE"},
    "succeeded": {"type": "string", "enum": ["true", "false"], "description": "Only successes or only failures"},
    "fault_code": {"type": "string", "description": "Only exchanges with this X-Road error type"},
    "message_id": {"type": "string", "description": "Only the exchange with this X-Road-Id"},
    "since": _MS,
    "until": _MS,
    "cursor": {**_POSITION, "description": "The next_cursor of the previous page"},
    "limit": {"type": "integer", "minimum": 1, "maximum": 500},
    "period": {"type": "integer", "minimum": 1, "maximum": 366 * 86400, "description": "Seconds back from now"},
    "status": {"type": "string", "enum": list(STATUSES)},
    "subscription": {"type": "string", "description": "Only this subscription's"},
    "after": {**_POSITION, "description": "Resume after this event id (as Last-Event-ID does)"},
}
_QUERY_BY_PATH: dict[tuple[str, str], dict[str, Any]] = {
    ("/api/v1/deliveries", "limit"): {"type": "integer", "minimum": 1, "maximum": 1000},
}
_PATH: dict[tuple[str, str], dict[str, Any]] = {
    ("/api/v1/messages/{id}", "id"): {**_POSITION, "description": "The message's log position"},
    ("/api/v1/scenario-runs/{id}", "id"): {**_POSITION, "description": "The run's number"},
    ("/api/v1/scenario-runs/{id}/next", "id"): {**_POSITION, "description": "The run's number"},
    ("/api/v1/tiers/{name}", "name"): {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
    ("/api/v1/faults/{id}", "id"): {"type": "string", "pattern": "^[A-Za-z0-9_.-]{1,64}$"},
    ("/api/v1/services/{id}", "id"): {"type": "string", "pattern": SERVICE_PATTERN},
    ("/api/v1/subsystems/{id}", "id"): {"type": "string", "pattern": SUBSYSTEM_PATTERN},
}


def query_parameter(path: str, name: str) -> dict[str, Any]:
    """The OpenAPI parameter object of query parameter ``name`` of ``path``."""
    schema = _QUERY_BY_PATH.get((path, name)) or _QUERY.get(name) or {"type": "string"}
    return {"name": name, "in": "query", "required": False, "schema": schema}


def path_parameter(path: str, name: str) -> dict[str, Any]:
    """The OpenAPI parameter object of path parameter ``name`` of ``path`` (``{id}`` form)."""
    schema = _PATH.get((path, name), {"type": "string", "minLength": 1})
    return {"name": name, "in": "path", "required": True, "schema": schema}
