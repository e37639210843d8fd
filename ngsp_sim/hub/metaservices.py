"""X-Road metaservices: ``/listClients`` and, per provider subsystem, ``listMethods``,
``allowedMethods`` and ``getOpenAPI``. JSON, with X-Road's field names."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ngsp_sim.contracts.openapi import service_openapi
from ngsp_sim.errors import HubError, InvalidClientIdentifier, InvalidRequest, UnknownMember, UnknownService
from ngsp_sim.hub.caller import claimed_client
from ngsp_sim.hub.paths import parse_r1
from ngsp_sim.hub.pipeline import Pipeline
from ngsp_sim.hub.responses import error_response, json_response
from ngsp_sim.identifiers import SubsystemId
from ngsp_sim.registry import Registry, Service

__all__ = ["METASERVICES", "list_clients", "metaservice"]

METASERVICES = frozenset({"listMethods", "allowedMethods", "getOpenAPI"})


def _service_ref(service: Service, endpoints: list[dict[str, str]]) -> dict[str, Any]:
    sub = service.id.subsystem
    return {
        "object_type": "SERVICE",
        "xroad_instance": sub.instance,
        "member_class": sub.member_class,
        "member_code": sub.member_code,
        "subsystem_code": sub.subsystem_code,
        "service_code": service.id.service_code,
        "service_version": service.version,
        "service_type": "OPENAPI",
        "endpoint_list": endpoints,
    }


def list_clients(registry: Registry) -> dict[str, Any]:
    members: list[dict[str, Any]] = []
    for agency in sorted(registry.agencies.values(), key=lambda a: a.member):
        m = agency.member
        ident = {"xroad_instance": m.instance, "member_class": m.member_class, "member_code": m.member_code}
        members.append({"id": {"object_type": "MEMBER", **ident}, "name": agency.name_vi, "name_en": agency.name_en})
        for sub in sorted((s for s in registry.subsystems.values() if s.id.member == m), key=lambda s: s.id):
            members.append(
                {
                    "id": {"object_type": "SUBSYSTEM", **ident, "subsystem_code": sub.id.subsystem_code},
                    "name": sub.name_vi,
                    "name_en": sub.name_en,
                }
            )
    return {"member": members}


def _answer(registry: Registry, pipeline: Pipeline, request: web.Request, provider: SubsystemId, name: str) -> Any:
    if provider not in registry.subsystems:
        raise UnknownMember(f"the provider {provider} is not a registered subsystem")
    services = sorted(registry.services_of(provider), key=lambda s: s.id.service_code)
    if name == "listMethods":
        return {"service": [_service_ref(s, [{"method": m, "path": "/"} for m in sorted(s.methods)]) for s in services]}
    if name == "allowedMethods":
        client = claimed_client(request.headers)
        if client is None:
            raise InvalidClientIdentifier("allowedMethods needs the X-Road-Client header of the asking client")
        out = []
        for s in sorted(registry.allowed_services(client, provider), key=lambda s: s.id.service_code):
            endpoints = [
                {"method": method, "path": path}
                for rule in registry.rules_for(client, s.id)
                for method in sorted(rule.methods or {"*"})
                for path in (rule.paths or ("**",))
            ]
            out.append(_service_ref(s, endpoints))
        return {"service": out}
    code = request.query.get("serviceCode")
    if not code:
        raise InvalidRequest("getOpenAPI needs the query parameter serviceCode")
    match = next((s for s in services if s.id.service_code == code), None)
    if match is None:
        raise UnknownService(f"{provider} offers no service {code!r}")
    route = pipeline.table.routes[match.id]
    return service_openapi(route.service, route.operation, xml_bound=route.adapter.speaks_xml)


def metaservice(registry: Registry, pipeline: Pipeline, request: web.Request, raw_path: str) -> web.Response:
    """Answer ``/r1/{provider subsystem}/{metaservice}``; the last path part is the metaservice name."""
    try:
        target = parse_r1(raw_path)
        return json_response(_answer(registry, pipeline, request, target.subsystem, target.service_code))
    except HubError as err:
        return error_response(err, "xroad", request)
