"""SOAP 1.1 document/literal envelopes, for providers whose native API is SOAP/XML.

A :class:`SoapAdapter` subclass names its namespace, the provider path and its operations; the request
element is the operation code and the reply element ``{code}Response``, both in the namespace. A SOAP
Fault from the provider is passed on as the provider's own error (status 500, ``faultcode`` and
``faultstring`` as JSON), just as X-Road passes a provider's error through unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar
from xml.sax.saxutils import escape

from pydantic import BaseModel

from adapters.base import Adapter, Exchange, HubCall, HubReply, NativeFormatError, NativeRequest, NativeResponse
from adapters.xml import Element, as_read, parse_xml, render_xml, xml_text, xml_to_data
from schemas.xroad import SoapFault

__all__ = ["SOAP_ENV", "SoapAdapter", "build_envelope", "build_fault", "read_envelope", "soap_answer"]

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
_HEADERS = {"Content-Type": "text/xml; charset=utf-8"}


def soap_answer(operation: str, ns: str, data: Mapping[str, Any], model: type[BaseModel]) -> NativeResponse:
    """A provider's answer to ``operation`` (HTTP 200, the envelope of ``{operation}Response`` holding
    ``data``), handing along the reading :class:`SoapAdapter` would make of it (``NativeResponse.read``;
    ``model`` is the operation's response model), so an in-process hub does not parse it again."""
    body = build_envelope(f"{operation}Response", ns, data)
    return NativeResponse(200, _HEADERS, body, read=(body, (f"{{{ns}}}{operation}Response", as_read(data, model))))


def build_envelope(element: str, ns: str, data: Mapping[str, Any]) -> bytes:
    parts = [
        f'<?xml version="1.0" encoding="utf-8"?>\n<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" '
        f'xmlns:ns="{escape(ns)}"><soapenv:Body><ns:{element}>'
    ]
    render_xml(parts, data, "ns")
    parts.append(f"</ns:{element}></soapenv:Body></soapenv:Envelope>")
    return "".join(parts).encode()


def read_envelope(raw: bytes) -> Element:
    """The single element inside ``soapenv:Body`` (which may be a ``soapenv:Fault``)."""
    root = parse_xml(raw)
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise NativeFormatError(f"expected a SOAP 1.1 Envelope, got <{root.tag}>")
    body = root.find(f"{{{SOAP_ENV}}}Body")
    if body is None or len(body) != 1:
        raise NativeFormatError("a SOAP Envelope must hold a Body with exactly one element")
    return body[0]


class SoapAdapter(Adapter):
    speaks_xml = True
    namespace: ClassVar[str]
    path: ClassVar[str]
    error_model = SoapFault

    def exchange(self, call: HubCall) -> Exchange:
        op = self.operations[call.operation]
        data = call.payload.model_dump(mode="json", exclude_none=True, warnings=False) if call.payload else {}
        body = build_envelope(op.code, self.namespace, data)
        native = yield NativeRequest(
            "POST",
            self.path,
            headers={**_HEADERS, "SOAPAction": f'"{self.namespace}/{op.code}"'},
            body=body,
            read=call.reading(body),
        )
        expected = f"{{{self.namespace}}}{op.code}Response"
        if (given := native.given()) is not None:  # an in-process provider's reading of what it wrote
            tag, data = given
            if tag != expected:
                raise NativeFormatError(f"expected <{expected}> in the SOAP Body, got <{tag}>")
            return HubReply(native.status, data)
        element = read_envelope(native.body)
        if element.tag == f"{{{SOAP_ENV}}}Fault":
            fault = {child.tag.rsplit("}", 1)[-1]: (child.text or "") for child in element}
            return HubReply(native.status if native.status >= 400 else 500, fault)
        if element.tag != expected:
            raise NativeFormatError(f"expected <{expected}> in the SOAP Body, got <{element.tag}>")
        return HubReply(native.status, xml_to_data(element, op.response_model))

    def refuses(self, operation: str, reply: HubReply) -> bool:
        """A SOAP provider refuses a request with a ``Client`` fault (the sender's fault, SOAP 1.1 4.4.1);
        a ``Server`` fault is its own failure."""
        fault = reply.data.get("faultcode", "") if isinstance(reply.data, dict) else ""
        return super().refuses(operation, reply) or str(fault).rsplit(":", 1)[-1].startswith("Client")


def build_fault(code: str, message: str) -> bytes:
    """A SOAP 1.1 Fault envelope, as a SOAP provider answers a request it refuses."""
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}"><soapenv:Body>'
        f"<soapenv:Fault><faultcode>{escape(xml_text(code))}</faultcode>"
        f"<faultstring>{escape(xml_text(message))}</faultstring>"
        "</soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    ).encode()
