"""A Postman collection (format v2.1) of a topology's whole catalog, ready to send to a running hub.

One folder per provider subsystem holds each service in the X-Road REST style (``/r1``, with an
``X-Road-Client`` the topology allows); a second folder, "NGSP gateway style", first buys a token
with the demo consumer key and secret, then calls every gateway-published service with it. Bodies are
the examples of :mod:`ngsp_sim.contracts.examples` (over the demo records); a service without one gets an empty
body and a pointer to its OpenAPI document. Every request carries tests and the collection runs again on
the same hub (see :mod:`ngsp_sim.contracts.postman_scripts`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from adapters.base import Adapter
from ngsp_sim.contracts.examples import EXAMPLES, Example
from ngsp_sim.contracts.postman_scripts import (
    COLLECTION_PRE_REQUEST,
    TOKEN_TESTS,
    VARIABLES,
    pre_request,
    tests,
    with_variables,
)
from ngsp_sim.identifiers import SubsystemId
from ngsp_sim.registry import Registry, Service

__all__ = ["SCHEMA_URL", "client_for", "postman_collection"]

SCHEMA_URL = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
_X_ROAD_ID = {"key": "X-Road-Id", "value": "{{xRoadId}}"}


def _url(path: str, query: Mapping[str, str]) -> dict[str, Any]:
    raw = "{{baseUrl}}" + path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    url: dict[str, Any] = {"raw": raw, "host": ["{{baseUrl}}"], "path": path.strip("/").split("/")}
    if query:
        url["query"] = [{"key": k, "value": v} for k, v in query.items()]
    return url


def _body(service: Service, example: Example | None) -> dict[str, Any] | None:
    if example is None or example.method == "GET":
        return None
    if example.xml is not None:
        return {"mode": "raw", "raw": example.xml.decode(), "options": {"raw": {"language": "xml"}}}
    payload = with_variables((service.adapter, service.operation), example.payload or {})
    text = orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode()
    return {"mode": "raw", "raw": text, "options": {"raw": {"language": "json"}}}


def _request(
    service: Service, example: Example | None, path: str, headers: list[dict[str, str]], summary: str
) -> dict[str, Any]:
    method = example.method if example else sorted(service.methods)[0]
    query = dict(example.query) if example else {}
    if service.id.service_code == "getEdoc":
        query["docId"] = "{{docId}}"
    content_type = "text/xml; charset=utf-8" if example and example.xml is not None else "application/json"
    headers = [*headers, _X_ROAD_ID]
    request: dict[str, Any] = {
        "method": method,
        "header": [*headers, {"key": "Content-Type", "value": content_type}] if method != "GET" else headers,
        "url": _url(path, query),
        "description": summary if example else f"{summary}\n\nNo built-in example: see getOpenAPI for the payload.",
    }
    body = _body(service, example)
    if body is not None:
        request["body"] = body
    return request


def _event(listen: str, script: list[str]) -> dict[str, Any]:
    return {"listen": listen, "script": {"type": "text/javascript", "exec": script}}


def _item(name: str, request: dict[str, Any], test: list[str], before: list[str] | None = None) -> dict[str, Any]:
    events = [_event("prerequest", before)] if before else []
    return {"name": name, "request": request, "event": [*events, _event("test", test)]}


def client_for(registry: Registry, service: Service, example: Example | None) -> str | None:
    """The example's client when the topology lets it call, else the first client that may."""
    candidates = [example.client] if example else []
    candidates += sorted(str(s.id) for s in registry.subsystems.values())
    for candidate in candidates:
        client = SubsystemId.parse(candidate)
        if client in registry.subsystems and registry.is_allowed(client, service.id, sorted(service.methods)[0], "/"):
            return candidate
    return None


def postman_collection(
    registry: Registry, adapters: Mapping[str, type[Adapter]], base_url: str = "http://127.0.0.1:8080"
) -> dict[str, Any]:
    """The collection, with ``baseUrl`` as a collection variable (change it in Postman to move hubs)."""
    folders: dict[str, list[dict[str, Any]]] = {}
    gateway: list[dict[str, Any]] = []
    token_clients: dict[str, str] = {}
    for sub in registry.subsystems.values():
        if sub.consumer_key and sub.consumer_secret:
            token_clients[str(sub.id)] = sub.consumer_key
    for service in registry.services.values():
        adapter, op = service.carried_by(adapters)
        example = EXAMPLES.get((service.adapter, service.operation))
        summary = op.summary or op.code
        client = client_for(registry, service, example)
        operation = (service.adapter, service.operation)
        success = example.success if example is not None and example.success else adapter.success_flag
        test, before = tests(operation, example, success, xml=op.response_xml), pre_request(operation, example)
        if client is not None:
            path = f"/r1/{service.id}"
            request = _request(service, example, path, [{"key": "X-Road-Client", "value": client}], summary)
            item = _item(service.id.service_code, request, test, before)
            folders.setdefault(str(service.id.subsystem), []).append(item)
        if service.gateway is not None and client in token_clients:
            context, version, resource = service.gateway
            headers = [{"key": "Authorization", "value": "Bearer {{access_token}}"}]
            request = _request(service, example, f"/{context}/{version}/{resource}", headers, summary)
            gateway.append(_item(f"{context}/{version}/{resource}", request, test, before))
    items = [{"name": name, "item": entries} for name, entries in folders.items()]
    variables = [
        {"key": "baseUrl", "value": base_url},
        {"key": "access_token", "value": ""},
        *({"key": k, "value": v} for k, v in VARIABLES.items()),
    ]
    if gateway:
        key = next(iter(token_clients.values()))
        secret = next(s.consumer_secret for s in registry.subsystems.values() if s.consumer_key == key)
        variables += [{"key": "consumerKey", "value": key}, {"key": "consumerSecret", "value": secret or ""}]
        token = _item(
            "POST /token (demo consumer key)",
            {
                "method": "POST",
                "auth": {
                    "type": "basic",
                    "basic": [
                        {"key": "username", "value": "{{consumerKey}}"},
                        {"key": "password", "value": "{{consumerSecret}}"},
                    ],
                },
                "header": [],
                "url": _url("/token", {}),
                "body": {"mode": "urlencoded", "urlencoded": [{"key": "grant_type", "value": "client_credentials"}]},
                "description": "Buys a bearer token; the next requests use it (DEMO-ONLY credentials).",
            },
            TOKEN_TESTS,
        )
        items.append({"name": "NGSP gateway style", "item": [token, *gateway]})
    return {
        "info": {
            "name": f"ngsp-sim: {registry.instance} catalog",
            "description": "Every service of the topology, with demo clients and credentials (DEMO-ONLY).",
            "schema": SCHEMA_URL,
        },
        "item": items,
        "event": [_event("prerequest", COLLECTION_PRE_REQUEST)],
        "variable": variables,
    }
