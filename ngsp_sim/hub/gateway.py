"""The NGSP gateway style: ``POST /token`` (OAuth2 client credentials) and services published under
``/{context}/{version}/{resource}`` with ``Authorization: Bearer``. A gateway call reaches the same
service, adapter and validation as its ``/r1`` address; only identification and error bodies differ
(WSO2-style ``fault`` objects with their numeric codes).

The caller is identified by :mod:`ngsp_sim.hub.caller` (bearer tokens, which ``/r1`` accepts too);
the limits every request meets first are in :mod:`ngsp_sim.hub.edge`, and errors are rendered by
:mod:`ngsp_sim.hub.responses`.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import parse_qs, unquote

import orjson
from aiohttp import web
from multidict import CIMultiDictProxy, MultiDictProxy

from ngsp_sim.errors import HubError, InvalidCredentials, MissingCredentials, Throttled, UnknownService
from ngsp_sim.hub.caller import channel_of, key_client, matching_client, token_client
from ngsp_sim.hub.edge import read_body, reject
from ngsp_sim.hub.paths import R1Target, normalise_rest
from ngsp_sim.hub.pipeline import Incoming
from ngsp_sim.hub.runtime import HUB, HubRuntime
from ngsp_sim.identifiers import ServiceId, SubsystemId
from ngsp_sim.registry import Registry, unknown_gateway_address

__all__ = ["gateway_handler", "gateway_incoming", "token_handler"]

_FORM = "application/x-www-form-urlencoded"


def _r1_hint(raw_path: str, hub: HubRuntime) -> str:
    """A path that reads as an X-Road service identifier without ``/r1`` in front: say where it goes."""
    parts = raw_path.split("/")
    if len(parts) < 6 or unquote(parts[1]) != hub.pipeline.table.registry.instance:
        return ""
    return f"; an X-Road service is called under /r1: did you mean /r1{raw_path[:200]}?"


async def gateway_handler(request: web.Request) -> web.StreamResponse:
    hub = request.app[HUB]
    raw_path, _, raw_query = request.raw_path.partition("?")
    parts = raw_path.split("/")
    body, rejected = await read_body(request, hub.config.max_body_size)
    client: SubsystemId | None = None
    target: R1Target | None = None
    try:
        if len(parts) < 4:
            raise UnknownService(f"no API is published at {raw_path[:200]}")
        address = (unquote(parts[1]), unquote(parts[2]), unquote(parts[3]))
        service = hub.pipeline.table.registry.gateway.get(address)
        if service is None and await hub.source.refresh():
            service = hub.pipeline.table.registry.gateway.get(address)
        if service is None:
            raise unknown_gateway_address(hub.pipeline.table.registry, address, _r1_hint(raw_path, hub))
        target = R1Target(service.subsystem, service.service_code, normalise_rest(parts[4:]))
        client = await token_client(request.headers, hub.tokens) or await key_client(
            request, hub.tokens, hub.pipeline.table.registry, hub.guard
        )
        if client is None:
            raise MissingCredentials(
                "this API needs Authorization: Bearer <access token> (from POST /token), or AccessKey and SecretKey"
            )
        matching_client(request.headers, client)
    except HubError as err:
        rejected = rejected or err
    incoming = Incoming(
        request.method,
        raw_path,
        request.query,
        request.headers,
        body,
        rejected,
        "gateway",
        client,
        target,
        raw_query,
        channel_of(request),
    )
    outcome = await hub.pipeline.handle(incoming)
    return web.Response(status=outcome.status, body=outcome.body, headers=outcome.headers)


def _oauth_error(status: int, error: str, description: str) -> web.Response:
    headers = {"Cache-Control": "no-store"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="ngsp-sim"'
    body = orjson.dumps({"error": error, "error_description": description})
    return web.Response(status=status, body=body, content_type="application/json", headers=headers)


def _basic(header: str) -> tuple[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        key, sep, secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (key, secret) if sep else None


async def token_handler(request: web.Request) -> web.Response:
    """``POST /token`` with ``grant_type=client_credentials``; key and secret in HTTP Basic or the form."""
    hub = request.app[HUB]
    if request.content_type != _FORM:
        return _oauth_error(400, "invalid_request", f"send the parameters as {_FORM}")
    raw, problem = await read_body(request, 16 * 1024)
    if problem is not None:
        return _oauth_error(413, "invalid_request", problem.message)
    try:
        form = parse_qs(raw.decode(), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        return _oauth_error(400, "invalid_request", "the form is not UTF-8")
    if any(len(values) > 1 for values in form.values()):
        return _oauth_error(400, "invalid_request", "a parameter is given more than once")
    fields = {k: v[0] for k, v in form.items()}
    if fields.get("grant_type") != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "only grant_type=client_credentials is supported")
    authorizations = request.headers.getall("Authorization", [])
    if len(authorizations) > 1:
        return _oauth_error(400, "invalid_request", "the Authorization header is given more than once")
    basic = _basic(authorizations[0]) if authorizations else None
    if authorizations and basic is None:
        return _oauth_error(401, "invalid_client", "Authorization must be Basic base64(key:secret)")
    form_pair = (fields["client_id"], fields.get("client_secret", "")) if "client_id" in fields else None
    if basic and form_pair and basic != form_pair:
        return _oauth_error(400, "invalid_request", "HTTP Basic and the form name different credentials")
    pair = basic or form_pair
    if pair is None or not pair[0] or not pair[1]:
        return _oauth_error(401, "invalid_client", "give the consumer key and secret (HTTP Basic or the form)")
    try:
        with hub.guard.attempt(
            "token", pair[0], request.remote, request.headers.getall("X-Forwarded-For", [])
        ) as attempt:  # failures are throttled
            try:
                issued = await hub.tokens.issue(*pair)
            except InvalidCredentials as err:
                attempt.failed()
                return _oauth_error(401, "invalid_client", err.message)
    except Throttled as err:
        return reject(err, request)
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    return web.Response(body=orjson.dumps(issued.as_response()), content_type="application/json", headers=headers)


def gateway_incoming(
    registry: Registry,
    client: str,
    method: str,
    service: str,
    query: MultiDictProxy[str],
    headers: CIMultiDictProxy[str],
    body: bytes,
) -> Incoming:
    """A gateway-style request from ``client`` (identified already, as its token would) to ``service`` at
    its gateway address; refused with UnknownService when the service is not published there."""
    sid = ServiceId.parse(service)
    found = registry.services.get(sid)
    target = R1Target(sid.subsystem, sid.service_code, "/")
    if found is None or found.gateway is None:
        refused = UnknownService(f"{service} is not published in the gateway style")
        return Incoming(method, f"/r1/{service}", query, headers, body, refused, "gateway", SubsystemId.parse(client))
    context, version, resource = found.gateway
    path = f"/{context}/{version}/{resource}"
    return Incoming(method, path, query, headers, body, None, "gateway", SubsystemId.parse(client), target)
