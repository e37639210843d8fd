"""A provider reached over HTTP: the native request sent to the service's base URL with aiohttp.

The service's timeout is enforced and failures become the hub's error tree (``Timeout``,
``NetworkError``, ``ServiceFailed``). Redirects are returned to the adapter, never followed. The HTTP
path is encoded by the hub (:func:`wire_path`) and handed to aiohttp as already encoded, so the client
library neither decodes nor resolves it again: the provider receives the path the access check judged.
"""

from __future__ import annotations

from urllib.parse import quote

import aiohttp
from yarl import URL

from adapters.base import NativeRequest, NativeResponse
from ngsp_sim.errors import NetworkError, ServiceFailed, Timeout
from ngsp_sim.transport.contract import ExchangeContext

__all__ = ["HttpTransport", "escaped", "wire_path"]

_PCHAR = "/!$&'()*+,;=:@"
"""What :func:`wire_path` leaves unencoded besides letters, digits and ``-._~`` (RFC 3986 ``pchar``)."""


def wire_path(path: str) -> str:
    """A decoded, normalised path as it goes on the wire: every character that is not plain ``pchar``
    percent-encoded (UTF-8), so that it reaches the provider as the same segments the hub checked."""
    return quote(path, safe=_PCHAR)


def escaped(value: str) -> str:
    """A provider's header value as the hub passes it on: aiohttp decodes header bytes as UTF-8 with
    ``surrogateescape``, and a byte that was not UTF-8 is shown as ``\\xff`` rather than carried as a
    lone surrogate that no response writer or log can encode."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


class HttpTransport:
    """``session`` is the hub's shared client session (created and closed with the app)."""

    def __init__(self, base_url: str, session: aiohttp.ClientSession, max_body_size: int) -> None:
        self.base_url = URL(base_url.rstrip("/"))
        self.session = session
        self.max_body_size = max_body_size

    async def send(self, request: NativeRequest, timeout: float, exchange: ExchangeContext) -> NativeResponse:
        url = self.base_url.with_path(self.base_url.raw_path.rstrip("/") + wire_path(request.path), encoded=True)
        try:
            async with self.session.request(
                request.method,
                url,
                params=list(request.query),
                headers=dict(request.headers),
                data=request.body or None,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=timeout),
            ) as response:
                body = await response.content.read(self.max_body_size + 1)
                if len(body) > self.max_body_size:
                    raise ServiceFailed(f"the provider's answer is larger than the limit of {self.max_body_size} bytes")
                return NativeResponse(response.status, {k: escaped(v) for k, v in response.headers.items()}, body)
        except TimeoutError:
            raise Timeout(f"{url} did not answer within {timeout:g} s") from None
        except aiohttp.ClientConnectorError as exc:
            raise NetworkError(f"cannot connect to {url}: {exc.os_error.strerror or exc}") from None
        except aiohttp.ClientError as exc:
            raise NetworkError(f"the connection to {url} failed: {type(exc).__name__}: {exc}") from None
