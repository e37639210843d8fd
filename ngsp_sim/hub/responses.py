"""Rendering the hub's own errors, once for every path that answers one.

Three styles, chosen by where a request was sent: the X-Road error (``/r1/...`` and metaservices;
JSON by default, XML ``<error>`` when the caller rates XML above JSON, with ``X-Road-Error`` naming the
type), the WSO2-style ``fault`` of the NGSP gateway (gateway paths, ``/token``) and the admin API's
``AdminError`` (``/api/v1``, ``/metrics``). The edge, the pipeline and the metaservices all render
through here, so one error looks the same whichever of them meets it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal
from xml.etree.ElementTree import Element, SubElement, tostring

import orjson
from aiohttp import web

from adapters.xml import xml_text
from ngsp_sim.errors import CodeForm, HubError
from ngsp_sim.hub.negotiation import prefers_xml
from schemas.admin import AdminError

__all__ = [
    "ERROR_FORM",
    "Style",
    "admin_error",
    "error_body",
    "error_response",
    "json_response",
    "render_error",
    "wants_xml",
]

Style = Literal["xroad", "gateway"]
"""``xroad``: X-Road error bodies; ``gateway``: the NGSP gateway's WSO2-style faults."""

_JSON_TYPE = "application/json; charset=utf-8"

ERROR_FORM: web.AppKey[Callable[[], CodeForm]] = web.AppKey("error_form")
"""How the application spells X-Road error types now (the topology's ``error_codes``); absent: legacy."""


def wants_xml(accept: str) -> bool:
    """True when the caller rates an XML type above JSON, q-values included (ties go to JSON)."""
    return prefers_xml(accept)


def error_body(err: HubError, accept: str) -> tuple[bytes, str]:
    """(body, content type) of ``err`` as an X-Road error, for a caller sending ``accept``. The XML form
    is always well-formed: a character XML cannot carry (echoed from a request) is written escaped."""
    body = err.body()
    if not wants_xml(accept):
        return orjson.dumps(body), _JSON_TYPE
    root = Element("error")
    for key in ("type", "message", "detail"):
        if body.get(key) is not None:
            SubElement(root, key).text = xml_text(str(body[key]))
    if "violations" in body:
        violations = SubElement(root, "violations")
        for v in body["violations"]:
            item = SubElement(violations, "violation")
            for key, value in v.items():
                SubElement(item, key).text = xml_text(value)
    return tostring(root, encoding="utf-8", xml_declaration=True), "application/xml; charset=utf-8"


def render_error(
    err: HubError, style: Style, accept: str, form: CodeForm = "legacy"
) -> tuple[int, bytes, dict[str, str]]:
    """(status, body, headers) of ``err`` in ``style``, its type spelt in ``form`` (the topology's
    ``error_codes``); the headers include the error's own (``Retry-After``...) and the content type."""
    err.form = form
    headers = dict(err.headers)
    if style == "gateway":
        headers["Content-Type"] = _JSON_TYPE
        return err.gateway_status(), orjson.dumps(err.fault()), headers
    body, content_type = error_body(err, accept)
    headers.update({"X-Road-Error": err.wire_type, "Content-Type": content_type})
    return err.status, body, headers


def error_response(err: HubError, style: Style, request: web.Request) -> web.Response:
    """``err`` answered to ``request`` in ``style``, its type spelt as the application's
    :data:`ERROR_FORM` says."""
    spelling = request.app.get(ERROR_FORM)
    form: CodeForm = spelling() if spelling is not None else "legacy"
    status, body, headers = render_error(err, style, request.headers.get("Accept", ""), form)
    return web.Response(status=status, body=body, headers=headers)


def admin_error(status: int, error: str, message: str, problems: list[str] | None = None) -> web.Response:
    """An answer of the admin API (and ``/metrics``) that is not a success: ``AdminError``."""
    body = AdminError(error=error, message=message, problems=problems or []).model_dump()
    headers = {"WWW-Authenticate": 'Bearer realm="ngsp-sim admin"'} if status == 401 else None
    return web.Response(status=status, body=orjson.dumps(body), content_type="application/json", headers=headers)


def json_response(data: object, status: int = 200) -> web.Response:
    """JSON the hub writes itself, with its character encoding named (PR-REST 4.3)."""
    return web.Response(status=status, body=orjson.dumps(data), content_type="application/json", charset="utf-8")
