"""Compatibility of two versions of a service contract (two OpenAPI documents): what breaks clients
built on the old one, and what they can ignore. Behind ``ngsp-sim contract diff OLD NEW``.

Operations are matched by method and full path (the first server's path, then the path), so a contract
moving from ``/apiCSDLDKDN/1.0`` to ``/apiCSDLDKDN/2.0`` is read as a version change: the old version
is gone for its clients (breaking), and the operation is still compared with its successor so the
report says what a client moving to the new version must change. Schemas are compared by
:mod:`ngsp_sim.contracts.schema_diff` (requests and responses have opposite rules).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from adapters.base import Adapter
from ngsp_sim.contracts.openapi import published_openapi
from ngsp_sim.contracts.schema_diff import Change, Direction, SchemaPair
from ngsp_sim.registry import Registry

__all__ = ["Change", "diff_contracts", "diff_services", "load_contract", "service_contracts"]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_VERSION = re.compile(r"^v?\d+(?:\.\d+)*$")
Operations = dict[tuple[str, str], dict[str, Any]]


def load_contract(path: Path) -> dict[str, Any]:
    """An OpenAPI document from a JSON or YAML file (JSON is YAML)."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: neither JSON nor YAML: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        raise ValueError(f"{path}: not an OpenAPI document (no paths)")
    return document


def diff_contracts(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every change from ``old`` to ``new``, breaking ones first (each group in document order)."""
    changes = list(_changes(old, new))
    return [c for c in changes if c.breaking] + [c for c in changes if not c.breaking]


def service_contracts(registry: Registry, adapters: Mapping[str, type[Adapter]]) -> dict[str, dict[str, Any]]:
    """Each service of a topology as one OpenAPI document, at its full paths: ``/r1/...`` and, when it
    is also published in the gateway style, ``/{context}/{version}/{resource}``; a contract service at
    its own operation's path below those (``/r1/.../layHoSo/hoso/{maHoSo}``), with its own schemas."""
    documents: dict[str, dict[str, Any]] = {}
    for service in registry.services.values():
        document = published_openapi(service, adapters)
        ((path, item),) = document.pop("paths").items()
        below = path if service.contract is not None else ""  # a contract's own path template, below the service
        document["paths"] = {f"/r1/{service.id}{below}": item}
        if service.gateway is not None:
            document["paths"][f"/{'/'.join(service.gateway)}{below}"] = item
        del document["servers"]
        documents[str(service.id)] = document
    return documents


def diff_services(old: Mapping[str, dict[str, Any]], new: Mapping[str, dict[str, Any]]) -> list[Change]:
    """Every change between two sets of service contracts (by service id), breaking ones first."""
    changes: list[Change] = []
    for service in sorted(old.keys() | new.keys()):
        if service not in new:
            changes.append(Change(True, "service_removed", service, "service removed"))
        elif service not in old:
            changes.append(Change(False, "service_added", service, "new service"))
        else:
            changes.extend(_changes(old[service], new[service]))
    return [c for c in changes if c.breaking] + [c for c in changes if not c.breaking]


def _changes(old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    before, after = _operations(old), _operations(new)
    successors = {key: _successor(key, before, after) for key in before.keys() - after.keys()}
    replaced = {s for s in successors.values() if s is not None}
    for key, operation in before.items():
        where = f"{key[0]} {key[1]}"
        if key in after:
            yield from _operation(old, new, operation, after[key], where)
        elif (successor := successors[key]) is not None:
            text = f"version gone: now {successor[0]} {successor[1]}; clients of this version must move"
            yield Change(True, "version_removed", where, text)
            yield from _operation(old, new, operation, after[successor], where)
        else:
            yield Change(True, "operation_removed", where, "operation removed")
    for key in after.keys() - before.keys() - replaced:
        yield Change(False, "operation_added", f"{key[0]} {key[1]}", "new operation")


def _operations(document: dict[str, Any]) -> Operations:
    servers = document.get("servers") or [{}]
    base = urlsplit(str(servers[0].get("url", ""))).path.rstrip("/")
    found: Operations = {}
    for path, item in document["paths"].items():
        if not isinstance(item, dict):
            continue
        shared = item.get("parameters", [])
        for method in _METHODS:
            if isinstance(item.get(method), dict):
                operation = dict(item[method])
                operation["parameters"] = [*shared, *operation.get("parameters", [])]
                found[(method.upper(), base + path)] = operation
    return found


def _unversioned(path: str) -> str:
    return "/".join("{version}" if _VERSION.match(part) else part for part in path.split("/"))


def _successor(key: tuple[str, str], before: Operations, after: Operations) -> tuple[str, str] | None:
    """The operation of ``after`` that is ``key`` at another version (one not in ``before``)."""
    method, path = key
    if _unversioned(path) == path:
        return None
    for candidate in after:
        if candidate not in before and candidate[0] == method and _unversioned(candidate[1]) == _unversioned(path):
            return candidate
    return None


def _operation(
    old_doc: dict[str, Any], new_doc: dict[str, Any], old: dict[str, Any], new: dict[str, Any], where: str
) -> Iterator[Change]:
    request = SchemaPair(old_doc, new_doc, "request")
    yield from _parameters(request, old["parameters"], new["parameters"], where)
    old_body, new_body = (request.resolve(op.get("requestBody"), doc) for op, doc in ((old, old_doc), (new, new_doc)))
    if isinstance(new_body, dict):
        if not isinstance(old_body, dict):
            if new_body.get("required"):
                yield Change(True, "body_added", f"{where} body", "a request body is now REQUIRED")
        else:
            if new_body.get("required") and not old_body.get("required"):
                yield Change(True, "body_required", f"{where} body", "the request body is now required")
            yield from _content(request, old_body, new_body, f"{where} body")
    elif isinstance(old_body, dict):
        yield Change(True, "body_removed", f"{where} body", "the operation no longer takes a request body")
    old_responses, new_responses = old.get("responses") or {}, new.get("responses") or {}
    for status in old_responses.keys() & new_responses.keys():
        response = SchemaPair(old_doc, new_doc, "response")
        pair = (response.resolve(old_responses[status], old_doc), response.resolve(new_responses[status], new_doc))
        yield from _content(response, pair[0], pair[1], f"{where} response {status}")


def _content(pair: SchemaPair, old: dict[str, Any], new: dict[str, Any], where: str) -> Iterator[Change]:
    before: dict[str, Any] = old.get("content") or {}
    after: dict[str, Any] = new.get("content") or {}
    for media in before.keys() - after.keys():
        yield _media_change(pair.direction, "media_type_removed", where, f"{media} no longer", removed=True)
    for media in after.keys() - before.keys():
        yield _media_change(pair.direction, "media_type_added", where, f"{media} now", removed=False)
    for media in sorted(before.keys() & after.keys()):
        yield from pair.compare(before[media].get("schema"), after[media].get("schema"), where)


def _media_change(direction: Direction, kind: str, where: str, text: str, *, removed: bool) -> Change:
    """A media type a reader no longer accepts (request) or may now receive (response) breaks."""
    verb = "accepted" if direction == "request" else "answered"
    return Change(removed == (direction == "request"), kind, where, f"{text} {verb}")


def _parameters(pair: SchemaPair, old: list[Any], new: list[Any], where: str) -> Iterator[Change]:
    def by_name(parameters: list[Any], doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
        resolved = (pair.resolve(p, doc) for p in parameters)
        return {(p.get("in", ""), p.get("name", "")): p for p in resolved if isinstance(p, dict)}

    before, after = by_name(old, pair.old_doc), by_name(new, pair.new_doc)
    for (place, name), parameter in before.items():
        at = f"{where} {place} {name}"
        if (place, name) not in after:
            yield Change(True, "parameter_removed", at, "parameter removed: clients still sending it are refused")
            continue
        if after[(place, name)].get("required") and not parameter.get("required"):
            yield Change(True, "became_required", at, "optional -> required")
        elif parameter.get("required") and not after[(place, name)].get("required"):
            yield Change(False, "became_optional", at, "required -> optional")
        yield from pair.compare(parameter.get("schema"), after[(place, name)].get("schema"), at)
    for (place, name), parameter in after.items():
        if (place, name) not in before:
            required = bool(parameter.get("required"))
            text = "new REQUIRED parameter" if required else "new optional parameter"
            kind = "required_parameter_added" if required else "parameter_added"
            yield Change(required, kind, f"{where} {place} {name}", text)
