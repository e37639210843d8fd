"""OpenAPI links of the admin API: where one answer names what the next call acts on (a fault put, then
cleared; a run started, then read, paced, paused, resumed, stepped and stopped...). Published in
``/api/v1/openapi.json`` so integrators' tools (and a stateful fuzzer) can follow them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["LINKS", "Link", "add_links"]


@dataclass(frozen=True)
class Link:
    source: str
    """The operationId whose success answer (200, or 201) the link leaves from."""
    target: str
    """The operationId it leads to."""
    parameters: dict[str, str] = field(default_factory=dict)
    """Target parameter -> runtime expression (``$request.path.id``, ``$response.body#/id``...)."""
    body: dict[str, Any] | None = None
    """The target's request body, runtime expressions inside."""
    description: str = ""


_SAME_FAULT = {"id": "$request.path.id"}
_RUN = {"id": "$response.body#/id"}
_RUN_STEPS = ("get_get_run", "patch_change_run", "post_next_step", "post_pause_run", "post_resume_run")

LINKS: tuple[Link, ...] = (
    Link("put_put_fault", "delete_delete_fault", _SAME_FAULT, description="Clear the fault just put"),
    Link("put_put_fault", "get_list_faults", description="The fault is listed"),
    Link("delete_delete_fault", "put_put_fault", _SAME_FAULT, description="Put the fault back"),
    Link("get_list_faults", "delete_delete_fault", {"id": "$response.body#/items/0/id"}, description="Clear one"),
    Link("put_put_service", "delete_delete_service", {"id": "$request.path.id"}, description="Remove it again"),
    Link("put_put_service", "get_list_services", description="The service is listed"),
    Link("get_list_services", "delete_delete_service", {"id": "$response.body#/items/0/service"}),
    Link("put_put_subsystem", "get_list_agencies", description="The subsystem is listed under its agency"),
    Link("put_put_tier", "get_list_services", description="Services show their tiers"),
    Link("get_list_messages", "get_get_message", {"id": "$response.body#/items/0/id"}, description="Its bodies"),
    Link("get_list_credentials", "post_rotate_credential", {"key": "$response.body#/items/0/consumer_key"}),
    Link("post_create_subscription", "delete_delete_subscription", {"id": "$response.body#/id"}),
    Link("get_list_subscriptions", "delete_delete_subscription", {"id": "$response.body#/subscriptions/0/id"}),
    Link("get_list_scenarios", "get_get_scenario", {"name": "$response.body#/items/0/name"}),
    Link(
        "get_list_scenarios",
        "post_start_run",
        body={"scenario": "$response.body#/items/0/name", "source": None, "variables": {}, "step": True},
        description="Start the first scenario in step mode",
    ),
    Link(
        "get_get_scenario",
        "post_start_run",
        body={"scenario": "$response.body#/name", "source": None, "variables": {}, "step": True},
    ),
    *(Link(source, target, _RUN) for source in ("post_start_run", *_RUN_STEPS) for target in _RUN_STEPS),
    *(Link(source, "delete_stop_run", _RUN) for source in ("post_start_run", *_RUN_STEPS)),
    Link("delete_stop_run", "get_get_run", _RUN, description="A stopped run stays readable"),
    Link("get_list_runs", "get_get_run", {"id": "$response.body#/items/0/id"}),
    Link("get_list_circuits", "delete_reset_circuit", {"id": "$response.body#/items/0/provider"}),
)


def add_links(paths: dict[str, Any]) -> None:
    """Put :data:`LINKS` on the success answers of ``paths`` (an OpenAPI ``paths`` object). Changed in place."""
    operations = {op["operationId"]: op for ops in paths.values() for op in ops.values()}
    for link in LINKS:
        target = operations[link.target]  # a link to nothing fails here, at generation
        out: dict[str, Any] = {"operationId": link.target}
        if link.parameters:
            out["parameters"] = dict(link.parameters)
        if link.body is not None:
            out["requestBody"] = dict(link.body)
        out["description"] = link.description or target["summary"]
        responses = operations[link.source]["responses"]
        success = next(status for status in responses if status.startswith("2"))
        links = responses[success].setdefault("links", {})
        links[_name(link.target, links)] = out


def _name(target: str, taken: dict[str, Any]) -> str:
    """A link name from its target (``DeleteFault``), unique among the answer's links."""
    name = "".join(part.capitalize() for part in target.split("_")[1:])
    return name if name not in taken else f"{name}{len(taken)}"
