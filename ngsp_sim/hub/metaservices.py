"""X-Road metaservices: ``/listClients`` and, per provider subsystem, ``listMethods``,
``allowedMethods`` and ``getOpenAPI``, with X-Road's field names (PR-META, PR-MREST).

``listClients`` answers ``text/xml`` unless JSON is asked for; the per-provider metaservices are
regular X-Road calls: the client is identified as for any ``/r1`` call (``X-Road-Client`` or a
bearer token) and must be registered."""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring

from aiohttp import web

from ngsp_sim.contracts.openapi import service_openapi
from ngsp_sim.errors import HubError, InvalidRequest
from ngsp_sim.hub.caller import authenticate_r1, channel_of, required_client
from ngsp_sim.hub.negotiation import asks_for_json
from ngsp_sim.hub.paths import R1Target, parse_r1
from ngsp_sim.hub.pipeline import Pipeline
from ngsp_sim.hub.responses import error_response, json_response
from ngsp_sim.identifiers import SubsystemId
from ngsp_sim.registry import Registry, Service, require_parties, unknown_service
from ngsp_sim.security import TokenService
from ngsp_sim.security.isauth import check_connection

__all__ = ["METASERVICES", "client_list_xml", "list_clients", "list_clients_response", "metaservice"]

METASERVICES = frozenset({"listMethods", "allowedMethods", "getOpenAPI"})

_XROAD_NS = "http://x-road.eu/xsd/xroad.xsd"
_ID_NS = "http://x-road.eu/xsd/identifiers"
register_namespace("xroad", _XROAD_NS)
register_namespace("id", _ID_NS)


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


def list_clients(registry: Registry, instance: str | None = None) -> list[dict[str, Any]]:
    """Every member and subsystem of ``instance`` (all when ``None``): X-Road's ``clientList`` as
    JSON (PR-META Annex B). A subsystem's ``name`` is its member's, ``subsystem_name`` its own."""
    members: list[dict[str, Any]] = []
    if instance is not None and instance != registry.instance:
        return members  # no federated instances here
    for agency in sorted(registry.agencies.values(), key=lambda a: a.member):
        m = agency.member
        ident = {"xroad_instance": m.instance, "member_class": m.member_class, "member_code": m.member_code}
        members.append({"id": {"object_type": "MEMBER", **ident}, "name": agency.name_vi})
        for sub in sorted((s for s in registry.subsystems.values() if s.id.member == m), key=lambda s: s.id):
            members.append(
                {
                    "id": {"object_type": "SUBSYSTEM", **ident, "subsystem_code": sub.id.subsystem_code},
                    "name": agency.name_vi,
                    "subsystem_name": sub.name_vi,
                }
            )
    return members


_ID_PARTS = (
    ("xroad_instance", "xRoadInstance"),
    ("member_class", "memberClass"),
    ("member_code", "memberCode"),
    ("subsystem_code", "subsystemCode"),
)


def client_list_xml(members: list[dict[str, Any]]) -> bytes:
    """The same list as ``text/xml``: the ``clientList`` element of PR-META Annex A."""
    root = Element(f"{{{_XROAD_NS}}}clientList")
    for member in members:
        item = SubElement(root, f"{{{_XROAD_NS}}}member")
        ident = SubElement(item, f"{{{_XROAD_NS}}}id", {f"{{{_ID_NS}}}objectType": member["id"]["object_type"]})
        for key, tag in _ID_PARTS:
            if key in member["id"]:
                SubElement(ident, f"{{{_ID_NS}}}{tag}").text = member["id"][key]
        SubElement(item, f"{{{_XROAD_NS}}}name").text = member["name"]
        if "subsystem_name" in member:
            SubElement(item, f"{{{_XROAD_NS}}}subsystemName").text = member["subsystem_name"]
    document: bytes = tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def list_clients_response(registry: Registry, request: web.Request) -> web.Response:
    """``GET /listClients[?xRoadInstance=]``: JSON when the caller asks for it, ``text/xml`` otherwise."""
    members = list_clients(registry, request.query.get("xRoadInstance"))
    if asks_for_json(request.headers.get("Accept", "")):
        return json_response({"member": members})
    return web.Response(body=client_list_xml(members), content_type="text/xml", charset="utf-8")


def _answer(registry: Registry, pipeline: Pipeline, request: web.Request, client: SubsystemId, target: R1Target) -> Any:
    provider, name = target.subsystem, target.service_code
    require_parties(registry, client, provider)
    services = sorted(registry.services_of(provider), key=lambda s: s.id.service_code)
    if name == "listMethods":
        return {"service": [_service_ref(s, [{"method": m, "path": "/"} for m in sorted(s.methods)]) for s in services]}
    if name == "allowedMethods":
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
        raise unknown_service(registry, provider, code)
    route = pipeline.table.routes[match.id]
    if route.service.contract is not None:  # the integrator's own document, as it was registered
        return route.service.contract.document
    return service_openapi(
        route.service, route.operation, route.adapter.error_model, xml_bound=route.adapter.speaks_xml
    )


async def metaservice(
    registry: Registry, pipeline: Pipeline, tokens: TokenService, request: web.Request, raw_path: str
) -> web.Response:
    """Answer ``/r1/{provider subsystem}/{metaservice}``; the last path part is the metaservice name.
    The client is identified as for any ``/r1`` call (PR-MREST 4, 5: ``X-Road-Client`` is mandatory)."""
    try:
        client, refused = await authenticate_r1(request, tokens)
        if refused is not None:
            raise refused
        client = client or required_client(request.headers)
        check_connection(registry.subsystems.get(client), client, channel_of(request))  # as for any /r1 call
        target = parse_r1(raw_path)
        answer = _answer(registry, pipeline, request, client, target)
        return json_response(answer)
    except HubError as err:
        return error_response(err, "xroad", request)
