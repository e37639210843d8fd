"""The NGSP gateway style: ``POST /token`` (OAuth2 client credentials) and services published under
``/{context}/{version}/{resource}`` with ``Authorization: Bearer``. A gateway call reaches the same
service, adapter and validation as its ``/r1`` address; only identification and error bodies differ
(WSO2-style ``fault`` objects with their numeric codes).

Also here: the reading of bearer tokens, which ``/r1`` accepts too (its ``X-Road-Client`` must then
match the token's client). The hard limits every request meets first are in :mod:`ngsp_sim.hub.edge`.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import parse_qs, unquote

import orjson
from aiohttp import web

from ngsp_sim.errors import (
    HubError,
    InvalidClientIdentifier,
    InvalidCredentials,
    MissingCredentials,
    RequestTooLarge,
    Throttled,
    UnknownService,
)
from ngsp_sim.hub.edge import reject
from ngsp_sim.hub.paths import R1Target, normalise_rest
from ngsp_sim.hub.pipeline import Incoming
from ngsp_sim.identifiers import SubsystemId

__all__ = ["gateway_handler", "read_body", "token_client", "token_handler"]

_FORM = "application/x-www-form-urlencoded"


def _hub(request: web.Request) -> Any:
    from ngsp_sim.hub.app import HUB

    return request.app[HUB]


async def read_body(request: web.Request, limit: int) -> tuple[bytes, HubError | None]:
    """The body, or the error of a body over ``limit`` (judged by Content-Length before reading)."""
    if request.content_length is not None and request.content_length > limit:
        return b"", RequestTooLarge(f"the body of {request.content_length} bytes is over the limit of {limit}")
    try:
        return await request.read(), None
    except web.HTTPRequestEntityTooLarge:
        return b"", RequestTooLarge(f"the body is over the limit of {limit} bytes")


async def token_client(request: web.Request) -> SubsystemId | None:
    """The client of the request's bearer token; ``None`` without ``Authorization``."""
    values = request.headers.getall("Authorization", [])
    if not values:
        return None
    if len(values) > 1:
        raise InvalidCredentials("the Authorization header is given more than once")
    scheme, _, token = values[0].partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidCredentials("expected Authorization: Bearer <access token>")
    client: SubsystemId = await _hub(request).tokens.client_of(token.strip())
    return client


def _matching_header(request: web.Request, client: SubsystemId) -> None:
    values = request.headers.getall("X-Road-Client", [])
    if len(values) > 1:
        raise InvalidClientIdentifier("the X-Road-Client header is given more than once")
    if values:
        try:
            claimed = SubsystemId.parse(values[0])
        except ValueError as exc:
            raise InvalidClientIdentifier(f"X-Road-Client is malformed: {exc}") from None
        if claimed != client:
            raise InvalidClientIdentifier(f"X-Road-Client {claimed} does not match the access token's client {client}")


async def authenticate_r1(request: web.Request) -> tuple[SubsystemId | None, HubError | None]:
    """On ``/r1``, a bearer token is optional; when present it must be valid and match X-Road-Client."""
    try:
        client = await token_client(request)
        if client is not None:
            _matching_header(request, client)
        return client, None
    except HubError as err:
        return None, err


def _r1_hint(raw_path: str, hub: Any) -> str:
    """A path that reads as an X-Road service identifier without ``/r1`` in front: say where it goes."""
    parts = raw_path.split("/")
    if len(parts) < 6 or unquote(parts[1]) != hub.pipeline.table.registry.instance:
        return ""
    return f"; an X-Road service is called under /r1: did you mean /r1{raw_path[:200]}?"


async def gateway_handler(request: web.Request) -> web.StreamResponse:
    hub = _hub(request)
    raw_path = request.raw_path.split("?", 1)[0]
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
            raise UnknownService(f"no API is published at /{'/'.join(address)}{_r1_hint(raw_path, hub)}")
        target = R1Target(service.subsystem, service.service_code, normalise_rest(parts[4:]))
        client = await token_client(request)
        if client is None:
            raise MissingCredentials("this API needs Authorization: Bearer <access token> (from POST /token)")
        _matching_header(request, client)
    except HubError as err:
        rejected = rejected or err
    incoming = Incoming(
        request.method, raw_path, request.query, request.headers, body, rejected, "gateway", client, target
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
    hub = _hub(request)
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
