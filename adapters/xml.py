"""Model-driven conversion between JSON-like data and namespaced XML, parsed safely.

The pydantic model says which children repeat (``list[...]``) and which nest (a model), so one pair of
functions serves every XML protocol: SOAP bodies here, edXML later. Parsing goes through defusedxml,
which refuses entity declarations and external references, so an XML bomb or an XXE payload from a
provider is a :class:`NativeFormatError`, not a hang or a file leak.
"""

from __future__ import annotations

import types
import typing
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

import defusedxml.ElementTree as safe_et
from defusedxml import DefusedXmlException
from pydantic import BaseModel

from adapters.base import NativeFormatError

__all__ = ["data_to_xml", "parse_xml", "to_bytes", "xml_to_data"]


def parse_xml(body: bytes) -> Element:
    """Parse untrusted XML; any refusal or syntax error becomes :class:`NativeFormatError`."""
    try:
        return safe_et.fromstring(body, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise NativeFormatError(f"XML refused for safety: {type(exc).__name__}") from None
    except safe_et.ParseError as exc:
        raise NativeFormatError(f"not well-formed XML: {exc}") from None


def data_to_xml(parent: Element, data: Any, ns: str) -> None:
    """Append ``data`` (a dict from ``model_dump``) under ``parent``: lists repeat the element,
    dicts nest, ``None`` is left out, booleans are written ``true``/``false``."""
    for key, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            if item is None:
                continue
            child = SubElement(parent, f"{{{ns}}}{key}")
            if isinstance(item, dict):
                data_to_xml(child, item, ns)
            elif isinstance(item, bool):
                child.text = "true" if item else "false"
            else:
                child.text = str(item)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _unwrap(annotation: Any) -> tuple[bool, Any]:
    """(is_list, inner type) for ``X``, ``X | None``, ``list[X]``, ``list[X] | None``."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else (False, str)
    if origin is list:
        return True, typing.get_args(annotation)[0]
    return False, annotation


def xml_to_data(element: Element, model: type[BaseModel]) -> dict[str, Any]:
    """Read ``element``'s children into a dict shaped by ``model``. Unknown children are kept as
    text so that schema validation, not this reader, reports them."""
    fields = model.model_fields
    out: dict[str, Any] = {}
    for child in element:
        name = _local(child.tag)
        info = fields.get(name)
        is_list, inner = _unwrap(info.annotation) if info else (False, str)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            value: Any = xml_to_data(child, inner)
        elif inner is bool:
            value = (child.text or "").strip().lower() == "true"
        elif inner is int:
            text = (child.text or "").strip()
            value = int(text) if text.lstrip("-").isdigit() else text
        else:
            value = child.text or ""
        if is_list:
            out.setdefault(name, []).append(value)
        else:
            out[name] = value
    for name, info in fields.items():
        if name not in out and _unwrap(info.annotation)[0]:
            out[name] = []
    return out


def to_bytes(root: Element) -> bytes:
    data: bytes = tostring(root, encoding="utf-8", xml_declaration=True)
    return data
