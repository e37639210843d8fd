"""The hub's edge: what every request meets before any handler reads it.

- **Limits**: a URL over ``max_url_length`` is 414; one header over ``max_header_size``, all headers
  over ``max_headers_size`` or more than ``max_header_count`` header lines is 431.
- **Bytes the hub cannot carry**: aiohttp decodes the request line and headers as UTF-8 with
  ``surrogateescape``, so a byte that is not UTF-8 becomes a lone surrogate that no JSON encoder, log
  writer or HTTP client accepts. A header value that is not UTF-8 is refused here with 400
  ``Client.InvalidRequest`` naming the header, before anything reads it: no provider is called and
  nothing unencodable enters a log line or message-log record. (The parser itself refuses such bytes
  in the URL and in header names; percent-encoded ones are judged where the path and query are read.)
- **The body**: over ``max_body_size`` (judged by Content-Length before reading) it is refused
  (:func:`read_body`), inside the pipeline so that the refused exchange is logged.
- **The HTTP parser's own limits** (:func:`parser_limits`) sit above ours, so that an oversize request
  is parsed far enough to reach this middleware and get the documented answer. Beyond them the parser
  refuses the request itself (aiohttp's plain-text 400, connection closed): see README, Security edges.

A path no route takes (``/%0A``, ``/favicon.ico``) is ``UnknownService`` in the style of the path, not
aiohttp's plain-text 404, and is not an exchange (nothing is logged).

Refusals are rendered (by :mod:`ngsp_sim.hub.responses`) in the style of the path: the X-Road error
body on ``/r1/...``, the WSO2-style fault everywhere else (gateway paths, ``/token``, the admin API).
Who is calling is decided later, in :mod:`ngsp_sim.hub.caller`.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ngsp_sim.config import SecurityConfig
from ngsp_sim.errors import HeadersTooLarge, HubError, InvalidRequest, RequestTooLarge, UnknownService, UriTooLong
from ngsp_sim.hub.responses import error_response

__all__ = ["edge_guard", "parser_limits", "read_body", "reject"]

_PARSER_HEADROOM = 16
"""How many times our own size limits the HTTP parser buffers before it refuses a request itself."""
_PARSER_MIN_HEADERS = 256


def parser_limits(limits: SecurityConfig) -> dict[str, int]:
    """aiohttp's parser limits (``handler_args``) for the hub's ``limits``: far enough above them that
    a request over our limits reaches :func:`edge_guard`. A request over these costs the parser at
    most ``max_headers * max_field_size`` bytes of buffer before it is refused."""
    return {
        "max_line_size": _PARSER_HEADROOM * limits.max_url_length,
        "max_field_size": _PARSER_HEADROOM * limits.max_header_size,
        "max_headers": max(_PARSER_MIN_HEADERS, 2 * limits.max_header_count),
    }


def reject(err: HubError, request: web.Request) -> web.Response:
    """An error answered before the pipeline, in the style of the path it was sent to."""
    return error_response(err, "xroad" if request.path.startswith("/r1/") else "gateway", request)


async def read_body(request: web.Request, limit: int) -> tuple[bytes, HubError | None]:
    """The body, or the error of a body over ``limit`` (judged by Content-Length before reading)."""
    if request.content_length is not None and request.content_length > limit:
        return b"", RequestTooLarge(f"the body of {request.content_length} bytes is over the limit of {limit}")
    try:
        return await request.read(), None
    except web.HTTPRequestEntityTooLarge:
        return b"", RequestTooLarge(f"the body is over the limit of {limit} bytes")


def _not_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _shown(name: bytes) -> str:
    """A header name fit to be named in an error body (cut short; anything but ASCII escaped)."""
    return name[:60].decode("ascii", "backslashreplace")


def _problem(request: web.Request, limits: SecurityConfig) -> HubError | None:
    """The first rule of the edge that ``request`` breaks, or ``None``."""
    if len(request.raw_path) > limits.max_url_length:
        return UriTooLong(f"the URL is over the limit of {limits.max_url_length} bytes")
    if len(request.raw_headers) > limits.max_header_count:
        return HeadersTooLarge(f"the request has more than {limits.max_header_count} header lines")
    total = 0
    for name, value in request.raw_headers:
        size = len(name) + len(value) + 4
        if size > limits.max_header_size:
            return HeadersTooLarge(f"the header {_shown(name)} is over the limit of {limits.max_header_size} bytes")
        total += size
        if _not_utf8(value):  # (names are HTTP tokens: the parser refuses any other byte)
            return InvalidRequest(
                f"the header {_shown(name)} holds bytes that are not UTF-8", detail="send header values as UTF-8 text"
            )
    if total > limits.max_headers_size:
        return HeadersTooLarge(f"the headers are over the limit of {limits.max_headers_size} bytes")
    return None


def edge_guard(limits: SecurityConfig) -> Any:
    """The middleware that applies the rules above before any handler runs."""

    @web.middleware
    async def guard(request: web.Request, handler: Any) -> web.StreamResponse:
        err = _problem(request, limits)
        if err is not None:
            # A request this malformed may be an attack on the connection itself: answer, then close it.
            refusal = reject(err, request)
            refusal.force_close()
            return refusal
        if isinstance(request.match_info.http_exception, web.HTTPNotFound):  # no route has this path
            return reject(UnknownService(f"no API is published at {request.path[:200]!r}"), request)
        response: web.StreamResponse = await handler(request)
        return response

    return guard
