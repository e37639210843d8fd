"""OpenAPI 3.1 documents generated from the pydantic models, never written by hand."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from adapters.base import Adapter, Operation
from adapters.xml import XML_TEXT_PATTERN
from ngsp_sim.errors import all_hub_errors
from ngsp_sim.registry import Service
from ngsp_sim.validation import published, schema_nodes
from ngsp_sim.validation.contract import ContractOperation
from schemas.xroad import ErrorBody, ProviderError

__all__ = ["GENERATOR_CONFIG", "contract_openapi", "published_openapi", "service_openapi"]

_REF = "#/components/schemas/{model}"
_ENCODED = "%(?:2[7-9BbCcDdEe]|3[0-9DdFf]|4[1-9A-Fa-f]|5[0-9Aa]|6[1-9A-Fa-f]|7[0-9Aa])"
"""An identifier character percent-encoded (PR-REST 4.3 lets each part be encoded on its own)."""
_PART = rf"(?:[A-Za-z0-9'()+,\-.=?]|{_ENCODED}){{1,255}}"
_CLIENT_PATTERN = f"^{_PART}/{_PART}/{_PART}(?:/{_PART})?$"
"""A subsystem, or a member calling as itself (the subsystem code is OPTIONAL, PR-REST 4.1)."""


def _xroad_error_header() -> dict[str, Any]:
    return {"X-Road-Error": {"schema": {"type": "string"}, "description": "The error type, when the hub refused"}}


def _error_response(description: str, native: type[BaseModel]) -> dict[str, Any]:
    """The hub's own ``ErrorBody`` (``X-Road-Error`` set) or the provider's error in its native shape
    (passed through, no ``X-Road-Error``)."""
    either = [{"$ref": _REF.format(model="ErrorBody")}, {"$ref": _REF.format(model=native.__name__)}]
    return {
        "description": description,
        "headers": _xroad_error_header(),
        "content": {"application/json": {"schema": {"anyOf": either}}},
    }


def _media(xml: bool) -> str:
    """XML bodies (edXML) are described by the same model: the root element's content, one element per
    field, lists repeated."""
    return "text/xml" if xml else "application/json"


def _xml_document(root: tuple[str, str], model: type[BaseModel]) -> dict[str, Any]:
    """An XML request body: a document, sent as bytes (what generated clients send for a binary
    string); the root element's content is the component schema named after ``model``."""
    namespace, name = root
    return {
        "type": "string",
        "format": "binary",
        "contentMediaType": "text/xml",
        "description": f'An XML document, root <{name} xmlns="{namespace}">: its content is '
        f"{_REF.format(model=model.__name__)}, one element per field, lists repeated",
    }


def _xml_text(schema: Any) -> None:
    """Every free-text string of ``schema`` restricted to what XML can carry (the hub refuses the rest
    with rule ``xml_char`` when the provider speaks XML). Changed in place."""
    for node in schema_nodes(schema):
        if node.get("type") == "string" and not {"pattern", "enum", "const", "format"} & node.keys():
            node["pattern"] = XML_TEXT_PATTERN
            note = "No control characters but tab, line feed and carriage return: the provider speaks XML."
            node["description"] = f"{node.get('description', '')} {note}".strip()


def _xroad_headers() -> list[dict[str, Any]]:
    """The X-Road headers every call under ``/r1`` carries (PR-REST 4.1)."""
    return [
        {
            "name": "X-Road-Client",
            "in": "header",
            "required": True,
            "schema": {"type": "string", "pattern": _CLIENT_PATTERN},
            "description": "The calling subsystem, INSTANCE/CLASS/MEMBER/SUBSYSTEM, or INSTANCE/CLASS/MEMBER for a "
            "member calling as itself; each part may be percent-encoded on its own",
            "example": "VN/GOV/000.00.00.H29/MOTCUA",
        },
        {
            "name": "X-Road-Id",
            "in": "header",
            "required": False,
            "schema": {"type": "string"},
            "description": "Message id; generated when absent and echoed in the reply",
        },
    ]


def service_openapi(
    service: Service, op: Operation, native_error: type[BaseModel] = ProviderError, *, xml_bound: bool = False
) -> dict[str, Any]:
    """The OpenAPI 3.1 description of one service (carried by operation ``op``) as the hub publishes it
    under ``/r1``; ``native_error`` is the provider's own error shape (its adapter's ``error_model``),
    ``xml_bound`` when the provider speaks XML (its adapter's ``speaks_xml``)."""
    inputs: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (model, "validation") for model in (op.request_model, op.query_model, op.response_model) if model
    ]
    errors: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ErrorBody, "serialization"), (native_error, "validation")]
    refs, defs = models_json_schema([*inputs, *errors], ref_template=_REF)
    parameters = _xroad_headers()
    if op.query_model is not None:
        schema = op.query_model.model_json_schema(ref_template=_REF)
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            parameters.append({"name": name, "in": "query", "required": name in required, "schema": prop})
    client_codes = sorted(e.type for e in all_hub_errors() if e.status < 500)
    operation: dict[str, Any] = {
        "operationId": op.code,
        "summary": op.summary or op.code,
        "parameters": parameters,
        "responses": {
            "200": {
                "description": "The provider's answer",
                "content": {_media(op.response_xml): {"schema": refs[(op.response_model, "validation")]}},
            },
            "4XX": _error_response(
                "Refused by the hub: " + ", ".join(client_codes) + "; or the provider's own error", native_error
            ),
            "5XX": _error_response(
                "A platform failure (X-Road-Error present) or the provider's own error", native_error
            ),
        },
    }
    if op.request_model is not None:
        schema = refs[(op.request_model, "validation")]
        if op.request_xml is not None:
            schema = _xml_document(op.request_xml, op.request_model)
        operation["requestBody"] = {
            "required": True,
            "content": {_media(op.request_xml is not None): {"schema": schema}},
        }
    schemas = published(defs.get("$defs", {}))  # with what strict validation adds to JSON Schema
    if xml_bound:
        _xml_text(schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": str(service.id), "version": service.version, "description": op.summary},
        "servers": [{"url": f"/r1/{service.id.subsystem}"}],
        "paths": {f"/{service.id.service_code}": {m.lower(): operation for m in sorted(service.methods)}},
        "components": {"schemas": schemas},
    }


def contract_openapi(service: Service, contract: ContractOperation) -> dict[str, Any]:
    """The integrator's own document reduced to ``service``'s operation, as the hub carries it: its path
    template, parameters, request body and responses unchanged (so is its ``openapi`` version and its
    components), the X-Road headers added, and the server ``/r1/{service}`` (X-Road appends a REST
    service's path to its base URL: ``/r1/.../layHoSo/hoso/{maHoSo}``)."""
    document = copy.deepcopy(dict(contract.document))
    item = document["paths"][contract.path]
    method = contract.method.lower()
    operation = dict(item[method])
    operation["parameters"] = [*_xroad_headers(), *item.get("parameters", []), *operation.get("parameters", [])]
    responses = dict(operation.get("responses") or {})
    for family, text in (("4XX", "Refused by the hub"), ("5XX", "A platform failure")):
        described = f"{text} (X-Road-Error present), or the provider's own error"
        responses.setdefault(family, _hub_error(described, contract))
    operation["responses"] = responses
    document["paths"] = {contract.path: {method: operation}}
    document["servers"] = [{"url": f"/r1/{service.id}"}]
    return document


def _hub_error(description: str, contract: ContractOperation) -> dict[str, Any]:
    """The hub's own ``ErrorBody``, written for the contract's OpenAPI version (no $ref: the integrator's
    components are left as they are); not declared where the contract declares that status family."""
    nullable: dict[str, Any] = {"type": "string", "nullable": True}
    if contract.version == "3.1":
        nullable = {"type": ["string", "null"]}
    schema = {
        "type": "object",
        "required": ["type", "message"],
        "properties": {"type": {"type": "string"}, "message": {"type": "string"}, "detail": nullable},
    }
    return {
        "description": description,
        "headers": _xroad_error_header(),
        "content": {"application/json": {"schema": schema}},
    }


def published_openapi(service: Service, adapters: Mapping[str, type[Adapter]]) -> dict[str, Any]:
    """The document of ``service`` that ``export openapi`` writes and ``contract diff --topologies``
    compares: the integrator's operation for a contract service, else generated from the models."""
    if service.contract is not None:
        return contract_openapi(service, service.contract)
    adapter, op = service.carried_by(adapters)
    return service_openapi(service, op, adapter.error_model, xml_bound=adapter.speaks_xml)


GENERATOR_CONFIG = """\
# openapi-python-client's configuration for these documents (written by `ngsp-sim export openapi DIR`):
#   openapi-python-client generate --path DIR/admin.openapi.json --config DIR/openapi-python-client.yaml
# edXML services (sendEdoc, updateStatus) take a text/xml document; the generator sends raw bytes only
# for application/octet-stream, so text/xml is read as that: the generated client sends the document as
# bytes, with Content-Type text/xml. A service's base_url is the hub's /r1/{subsystem} (its `servers`).
content_type_overrides:
  text/xml: application/octet-stream
post_hooks: []
"""
"""Every document the hub publishes generates a complete client with openapi-python-client given this."""
