"""Reading a request against its operation: query parameters and JSON body, every violation at once.

A repeated query parameter is itself a violation (against HTTP parameter pollution). Problems that make
the body unreadable (empty, not JSON, wrong content type) are answered before any schema check; a JSON
body is then validated strictly from its bytes (``"1"`` is not an integer, ``1`` not a boolean).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import orjson
from multidict import CIMultiDictProxy, MultiMapping
from pydantic import BaseModel, RootModel

from adapters.base import HubCall, NativeFormatError, Operation
from adapters.xml import not_xml_chars, parse_xml, xml_to_data
from ngsp_sim.errors import InvalidContentType, InvalidRequest, Violation
from ngsp_sim.hub.paths import R1Target
from ngsp_sim.identifiers import SubsystemId
from ngsp_sim.validation import json_pointer, validate, validate_json, xml_path

__all__ = ["read_call", "xml_payload"]


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _is_xml(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media in ("text/xml", "application/xml") or (media.startswith("application/") and media.endswith("+xml"))


def xml_payload(op: Operation, body: bytes, content_type: str) -> tuple[BaseModel | None, list[Violation]]:
    """Read an XML body whose root ``op.request_xml`` names; violations point at elements
    (``/edXMLEnvelope/edXMLHeader/MessageHeader/To[2]/OrganId``) in the same shape as JSON's."""
    if op.request_xml is None or op.request_model is None:
        raise TypeError(f"{op.code} does not take XML")
    namespace, root_name = op.request_xml
    if not _is_xml(content_type):
        raise InvalidContentType(f"{op.code} takes text/xml, not {content_type or 'a body without Content-Type'}")
    try:
        root = parse_xml(body)
    except NativeFormatError as exc:
        raise InvalidRequest(f"the body is not acceptable XML: {exc}") from None
    if root.tag != f"{{{namespace}}}{root_name}":
        raise InvalidRequest(f"{op.code} expects a <{root_name}> in namespace {namespace}, got <{root.tag}>")
    payload, found = validate(op.request_model, xml_to_data(root, op.request_model), "body")
    return payload, [dataclasses.replace(v, pointer=xml_path(root_name, v.pointer)) for v in found]


_NONCHARACTERS = re.compile(b"\xef\xbf[\xbe\xbf]")
"""U+FFFE and U+FFFF in UTF-8: the characters XML cannot carry that JSON may hold unescaped."""


def _xml_safe(op: Operation, body: bytes) -> bool:
    """Whether the body's strings are known to hold no character XML cannot carry without a walk: an
    XML body was parsed (a parser refuses those characters, even as references), and a JSON body
    carries a control character or a lone surrogate only as an escape, U+FFFE/U+FFFF also raw."""
    return op.request_xml is not None or (b"\\" not in body and not _NONCHARACTERS.search(body))


def _not_xml(data: Any, pointer: str, location: str) -> list[Violation]:
    """A violation for every string in ``data`` (at ``pointer``) that XML cannot carry."""
    if isinstance(data, str):
        found = not_xml_chars(data)
        if not found:
            return []
        message = (
            f"holds {', '.join(found)}, which XML cannot carry (the provider's protocol is XML): "
            "send text without control characters (tab, line feed and carriage return are allowed)"
        )
        return [Violation(pointer, message, "xml_char", location)]
    if isinstance(data, dict):
        return [v for k, item in data.items() for v in _not_xml(item, f"{pointer}/{json_pointer((k,))[1:]}", location)]
    if isinstance(data, list):
        return [v for i, item in enumerate(data) for v in _not_xml(item, f"{pointer}/{i}", location)]
    return []


def _as_sent(model: type[BaseModel] | None, data: Any) -> BaseModel | None:
    """``data`` in ``model``'s shape without validation (observe mode forwards what breaks the schema);
    fields the model does not know are reported but cannot be carried."""
    if model is None:
        return None
    if issubclass(model, RootModel):
        return model.model_construct(data)
    if not isinstance(data, dict):
        return None
    known = {key for name, field in model.model_fields.items() for key in (name, field.alias) if key}
    return model.model_construct(**{k: v for k, v in data.items() if k in known})


def read_call(
    op: Operation,
    target: R1Target,
    client: SubsystemId,
    method: str,
    query_params: MultiMapping[str],
    headers: CIMultiDictProxy[str],
    body: bytes,
    message_id: str,
    xml_bound: bool = False,
    *,
    as_sent: bool = False,
) -> tuple[HubCall, list[Violation]]:
    """The call to hand the adapter and every violation of the operation's query and body models (and,
    when the provider speaks XML, of every string XML cannot carry). With violations and ``as_sent``
    (observe mode), the call carries the request as sent, unvalidated; a body that cannot be read at all
    is refused here either way."""
    violations: list[Violation] = []
    query: BaseModel | None = None
    payload: BaseModel | None = None
    if op.query_model is not None:
        params: dict[str, Any] = {}
        for key in query_params:
            if key in params:
                continue
            values = query_params.getall(key)
            if len(values) > 1:
                violations.append(
                    Violation(
                        f"/{key}",
                        f"given {len(values)} times; give it once",
                        "duplicate_parameter",
                        "query",
                    )
                )
            params[key] = values[0]
        query, found = validate(op.query_model, params, "query")
        violations += found
        if query is None and as_sent:
            query = _as_sent(op.query_model, params)
    if op.path_model is not None:
        violations += validate(op.path_model, target.rest, "path")[1]
    if op.header_model is not None:
        violations += validate(op.header_model, dict(headers), "header")[1]
    if op.request_xml is not None:
        if not body.strip():
            raise InvalidRequest(f"the body is empty; {op.code} expects an XML document")
        payload, found = xml_payload(op, body, headers.get("Content-Type", ""))
        violations += found
    elif op.request_model is not None and not (op.body_optional and not body.strip()):
        if not body.strip():
            raise InvalidRequest(f"the body is empty; {op.code} expects a JSON object")
        content_type = headers.get("Content-Type", "")
        if not _is_json(content_type):
            raise InvalidContentType(
                f"{op.code} takes application/json, not {content_type or 'a body without Content-Type'}"
            )
        payload, found = validate_json(op.request_model, body, "body")
        if found and found[0].rule == "json_invalid":  # unreadable: answered before any schema check
            raise InvalidRequest(f"the body is not valid JSON: {found[0].message}")
        violations += found
        if payload is None and as_sent:
            payload = _as_sent(op.request_model, orjson.loads(body))
    if xml_bound:
        for model, location in ((query, "query"), (payload, "body")):
            if location == "body" and _xml_safe(op, body):
                continue
            violations += _not_xml(
                model.model_dump(mode="json", warnings=False) if model is not None else None, "", location
            )
    declared = dict(headers) if op.header_model is not None else {}  # the adapter forwards the operation's own
    call = HubCall(
        op.code, method, target.rest, payload, query, client.member_code, message_id, declared, body, not violations
    )
    return call, violations
