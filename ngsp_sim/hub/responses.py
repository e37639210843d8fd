"""Rendering the hub's own errors: JSON by default, XML ``<error>`` when the caller accepts only XML."""

from __future__ import annotations

from xml.etree.ElementTree import Element, SubElement, tostring

import orjson
from aiohttp import web

from ngsp_sim.errors import HubError

__all__ = ["error_body", "json_response", "wants_xml"]


def wants_xml(accept: str) -> bool:
    """True when ``Accept`` names an XML type and neither JSON nor a wildcard."""
    media = [part.split(";", 1)[0].strip().lower() for part in accept.split(",") if part.strip()]
    xml = any(m.endswith("/xml") or m.endswith("+xml") for m in media)
    other = any(m in ("*/*", "application/*") or m.endswith("json") for m in media)
    return xml and not other


def error_body(err: HubError, accept: str) -> tuple[bytes, str]:
    """(body, content type) of ``err`` for a caller sending ``accept``."""
    body = err.body()
    if not wants_xml(accept):
        return orjson.dumps(body), "application/json; charset=utf-8"
    root = Element("error")
    for key in ("type", "message", "detail"):
        if body.get(key) is not None:
            SubElement(root, key).text = str(body[key])
    if "violations" in body:
        violations = SubElement(root, "violations")
        for v in body["violations"]:
            item = SubElement(violations, "violation")
            for key, value in v.items():
                SubElement(item, key).text = value
    return tostring(root, encoding="utf-8", xml_declaration=True), "application/xml; charset=utf-8"


def json_response(data: object, status: int = 200) -> web.Response:
    return web.Response(status=status, body=orjson.dumps(data), content_type="application/json")
