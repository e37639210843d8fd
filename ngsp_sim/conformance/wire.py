"""How a conformance request travels, by the kind of service: a JSON body, query parameters, or an XML
document (edXML); and, for protocols that carry text, what the provider reads back of it.

Query parameters and XML carry text only, so a case is sent as the hub's client would send it (the
example's own strings, numbers written out) and judged by what the provider can read: the same model
over the text, as the hub reads its query and its XML bodies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from xml.sax.saxutils import escape

from pydantic import BaseModel

from adapters.base import Adapter, Operation
from adapters.soap import SoapAdapter, build_envelope, read_envelope
from adapters.xml import parse_xml, render_xml, xml_to_data
from ngsp_sim.conformance.cases import Wire

__all__ = ["Carrier", "carrier_for"]

Form = Literal["json", "query", "xml", "none"]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


@dataclass(frozen=True, slots=True)
class Carrier:
    """The form of one service's requests: ``json`` body, ``query`` parameters, an ``xml`` document
    (``request_xml``) or ``none`` (nothing to vary: the operation takes no input)."""

    form: Form
    model: type[BaseModel] | None
    root: tuple[str, str] | None = None
    """``(namespace, element)`` of an XML document."""

    def query(self, payload: Mapping[str, Any]) -> dict[str, str]:
        """Query parameters as a client writes them (``None`` left out)."""
        return {k: _text(v) for k, v in payload.items() if v is not None}

    def read_query(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Query parameters as the provider reads them: the model over the text (raises ``ValueError``
        when the text breaks it)."""
        if self.model is None:
            raise TypeError("an operation without input has no parameters")
        return self.model.model_validate_strings(self.query(payload)).model_dump(exclude_unset=True)

    def document(self, payload: Mapping[str, Any]) -> bytes:
        """The XML document holding ``payload`` under :attr:`root` (raises ``ValueError`` for a name XML
        cannot carry)."""
        if self.root is None:
            raise TypeError(f"a {self.form} request is no XML document")
        namespace, element = self.root
        parts = [f'<?xml version="1.0" encoding="utf-8"?>\n<p:{element} xmlns:p="{escape(namespace)}">']
        render_xml(parts, payload, "p")
        parts.append(f"</p:{element}>")
        return "".join(parts).encode()

    def read_xml(self, body: bytes) -> dict[str, Any]:
        """An XML document's content as the hub reads it into the model."""
        if self.model is None:
            raise TypeError("an operation without input has no document")
        return xml_to_data(parse_xml(body), self.model)


def carrier_for(adapter: Adapter, op: Operation) -> tuple[Carrier, Wire | None]:
    """How ``op``'s requests travel, and what its provider reads of one (``None``: JSON, as it is)."""
    if op.request_xml is not None and op.request_model is not None:
        carrier = Carrier("xml", op.request_model, op.request_xml)
        return carrier, lambda payload: carrier.read_xml(carrier.document(payload))
    if op.request_model is not None:
        carrier = Carrier("json", op.request_model)
        if isinstance(adapter, SoapAdapter):  # JSON to the hub, XML text to the provider
            model, namespace = op.request_model, adapter.namespace
            return carrier, lambda payload: xml_to_data(
                read_envelope(build_envelope(op.code, namespace, payload)), model
            )
        return carrier, None
    if op.query_model is not None:
        carrier = Carrier("query", op.query_model)
        return carrier, carrier.read_query
    return Carrier("none", None), None
