"""Who is calling: the one place the hub reads a caller's identity from a request.

- ``X-Road-Client`` (``INSTANCE/CLASS/MEMBER[/SUBSYSTEM]``, each part percent-encoded on its own):
  required on ``/r1`` (calls and metaservices) without a bearer token, and checked against the token's
  client when both are sent. Given more than once or malformed, it is refused the same way on every path.
- ``Authorization: Bearer <access token>``: issued by ``POST /token``; required on gateway paths,
  optional on ``/r1``.
- ``AppName``/``AccessKey``/``SecretKey`` headers: the triple some LGSPs issue their systems, sent on
  every call instead of a bearer token (header names illustrative: the real ones are not public); the
  secret is checked like a consumer secret (scrypt, constant time) and never passed on or logged, and
  failures count against the same allowance as ``/token``'s.
- The connection (:func:`channel_of`): TLS or plain HTTP, and the TLS client certificate, which the
  pipeline checks against the client's connection type (:mod:`ngsp_sim.security.isauth`).
- ``Authorization: Bearer <admin token>``: the operator, on the admin API and ``/metrics``; compared in
  constant time, failures counted by :class:`~ngsp_sim.security.guard.FailedAuthGuard`.

The functions take what they check against (token service, guard, admin token) as arguments, so this
module sits below the runtime that holds them.
"""

from __future__ import annotations

import hmac
from urllib.parse import unquote

from aiohttp import web
from multidict import CIMultiDictProxy

from ngsp_sim.errors import HubError, InvalidClientIdentifier, InvalidCredentials, MissingCredentials, Throttled
from ngsp_sim.hub.responses import admin_error
from ngsp_sim.identifiers import SubsystemId
from ngsp_sim.registry import Registry
from ngsp_sim.security import TokenService
from ngsp_sim.security.guard import FailedAuthGuard
from ngsp_sim.security.isauth import Channel

__all__ = [
    "KEY_HEADERS",
    "authenticate_r1",
    "channel_of",
    "claimed_client",
    "key_client",
    "matching_client",
    "operator_refusal",
    "required_client",
    "token_client",
]

_HEADER = "X-Road-Client"
KEY_HEADERS = ("AppName", "AccessKey", "SecretKey")
"""The LGSP-style credential triple, as headers (illustrative names)."""


def channel_of(request: web.Request) -> Channel:
    """The connection ``request`` came on: TLS (the socket's, never a forwarded header) and the client
    certificate it presented, which the TLS layer has verified against the hub's CA."""
    transport = request.transport
    tls = transport.get_extra_info("ssl_object") if transport is not None else None
    if tls is None:
        return Channel(tls=False)
    return Channel(tls=True, certificate=tls.getpeercert(binary_form=True))


def claimed_client(headers: CIMultiDictProxy[str]) -> SubsystemId | None:
    """The client named by ``X-Road-Client``; ``None`` without the header. Raises
    :class:`InvalidClientIdentifier` when it is given more than once or is malformed."""
    values = headers.getall(_HEADER, [])
    if not values:
        return None
    if len(values) > 1:
        raise InvalidClientIdentifier("the X-Road-Client header is given more than once")
    try:  # each part percent-encoded on its own (PR-REST 4.3): split first, then decode
        return SubsystemId.of_client_parts([unquote(part, errors="strict") for part in values[0].strip().split("/")])
    except UnicodeDecodeError:
        raise InvalidClientIdentifier("X-Road-Client holds percent-encoded bytes that are not UTF-8") from None
    except ValueError as exc:
        raise InvalidClientIdentifier(f"X-Road-Client is malformed: {exc}") from None


def required_client(headers: CIMultiDictProxy[str]) -> SubsystemId:
    """The client of an ``/r1`` call identified by ``X-Road-Client`` alone."""
    client = claimed_client(headers)
    if client is None:
        raise InvalidClientIdentifier(
            "the X-Road-Client header is missing",
            detail="send X-Road-Client: INSTANCE/CLASS/MEMBER/SUBSYSTEM, e.g. VN/GOV/000.00.00.H29/MOTCUA",
        )
    return client


def matching_client(headers: CIMultiDictProxy[str], client: SubsystemId) -> None:
    """A caller identified by its access token may also send ``X-Road-Client``: it must name the same client."""
    claimed = claimed_client(headers)
    if claimed is not None and claimed != client:
        raise InvalidClientIdentifier(f"X-Road-Client {claimed} does not match the access token's client {client}")


async def token_client(headers: CIMultiDictProxy[str], tokens: TokenService) -> SubsystemId | None:
    """The client of the request's bearer token; ``None`` without ``Authorization``."""
    values = headers.getall("Authorization", [])
    if not values:
        return None
    if len(values) > 1:
        raise InvalidCredentials("the Authorization header is given more than once")
    scheme, _, token = values[0].partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidCredentials("expected Authorization: Bearer <access token>")
    return await tokens.client_of(token.strip())


async def key_client(
    request: web.Request, tokens: TokenService, registry: Registry, guard: FailedAuthGuard
) -> SubsystemId | None:
    """The client of the request's ``AccessKey``/``SecretKey`` (and ``AppName``, checked when the client has
    one); ``None`` when neither key header is sent. Failures are throttled like ``/token``'s."""
    headers = request.headers
    values = {name: headers.getall(name, []) for name in KEY_HEADERS}
    if not values["AccessKey"] and not values["SecretKey"]:
        return None
    if any(len(given) > 1 for given in values.values()):
        raise InvalidCredentials("AppName, AccessKey or SecretKey is given more than once")
    if not values["AccessKey"] or not values["SecretKey"]:
        raise MissingCredentials("send AccessKey and SecretKey together (with AppName when the app has one)")
    key, secret = values["AccessKey"][0].strip(), values["SecretKey"][0].strip()
    with guard.attempt("token", key, request.remote, headers.getall("X-Forwarded-For", [])) as attempt:
        try:
            client = await tokens.client_of_keys(key, secret)
            sub = registry.subsystems.get(client)
            expected = sub.app_name if sub is not None else None
            given = values["AppName"][0].strip() if values["AppName"] else ""
            if expected is not None and not hmac.compare_digest(given.encode(), expected.encode()):
                raise InvalidCredentials("the AppName does not match the AccessKey")
        except InvalidCredentials:
            attempt.failed()
            raise
    return client


async def authenticate_r1(
    request: web.Request, tokens: TokenService, keys: tuple[Registry, FailedAuthGuard] | None = None
) -> tuple[SubsystemId | None, HubError | None]:
    """On ``/r1``, a bearer token (or, with ``keys``, an ``AccessKey``/``SecretKey`` pair) is optional; when
    present it must be valid and match X-Road-Client. The error is returned, not raised, so that the
    pipeline logs the refused exchange like any other."""
    try:
        client = await token_client(request.headers, tokens)
        if client is None and keys is not None:
            client = await key_client(request, tokens, *keys)
        if client is not None:
            matching_client(request.headers, client)
        return client, None
    except HubError as err:
        return None, err


def operator_refusal(request: web.Request, guard: FailedAuthGuard, admin_token: str) -> web.Response | None:
    """``None`` when the request carries the admin token (compared in constant time), else the 401,
    or the 429 of a source or of the admin token over its allowance of failures (see
    :mod:`ngsp_sim.security.guard`). A request without a token is not a guess and is not counted."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return admin_error(401, "unauthorized", "the admin API needs Authorization: Bearer <admin token>")
    try:
        with guard.attempt("admin", "admin", request.remote, request.headers.getall("X-Forwarded-For", [])) as attempt:
            if not hmac.compare_digest(token.strip().encode(), admin_token.encode()):
                attempt.failed()
                return admin_error(401, "unauthorized", "the admin token is not valid")
    except Throttled as err:
        response = admin_error(429, "throttled", err.message)
        response.headers.update(err.headers)
        return response
    return None
