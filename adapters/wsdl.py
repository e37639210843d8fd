"""The WSDL 1.1 of a SOAP provider (document/literal, SOAP 1.1 over HTTP), derived from its adapter.

A SOAP client generator (zeep, wsimport, svcutil) starts from the WSDL, so a simulated SOAP agency serves
one at ``{path}?wsdl``. It is built from the same models and names the adapter sends: the request element is
the operation code and the reply ``{code}Response``, both in the adapter's namespace, elements qualified,
children in the models' field order (the order :func:`~adapters.xml.render_xml` writes), a field that may be
absent ``minOccurs="0"``, a list ``maxOccurs="unbounded"``, a nested model its own complex type. Refusals are
plain SOAP 1.1 Faults (``faultcode``, ``faultstring``, no ``detail``), which SOAP itself defines: the WSDL
declares no fault message of its own.
"""

from __future__ import annotations

import types
import typing
from typing import Annotated, Any, Literal
from xml.sax.saxutils import quoteattr

from pydantic import BaseModel

from adapters.soap import SoapAdapter

__all__ = ["build_wsdl"]

_XSD = "http://www.w3.org/2001/XMLSchema"
_WSDL = "http://schemas.xmlsoap.org/wsdl/"
_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
_SIMPLE = {bool: "xs:boolean", int: "xs:integer", float: "xs:decimal"}


def _shape(annotation: Any) -> tuple[bool, Any]:
    """(repeats, inner type) of a field: ``X``, ``X | None``, ``list[X]``, ``Annotated[X, ...]``."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _shape(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _shape(args[0]) if len(args) == 1 else (False, str)
    if origin is list:
        return True, _shape(typing.get_args(annotation)[0])[1]
    return False, annotation


def _element(name: str, inner: Any, required: bool, repeats: bool) -> str:
    occurs = ("" if required and not repeats else ' minOccurs="0"') + (' maxOccurs="unbounded"' if repeats else "")
    if typing.get_origin(inner) is Literal:
        values = "".join(f"<xs:enumeration value={quoteattr(str(v))}/>" for v in typing.get_args(inner))
        restriction = f'<xs:simpleType><xs:restriction base="xs:string">{values}</xs:restriction></xs:simpleType>'
        return f'<xs:element name="{name}"{occurs}>{restriction}</xs:element>'
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        kind = f"tns:{inner.__name__}"
    else:
        kind = _SIMPLE.get(inner, "xs:string")
    return f'<xs:element name="{name}" type="{kind}"{occurs}/>'


def _complex_types(model: type[BaseModel], done: dict[str, str]) -> None:
    """Add ``model``'s complex type (and those of the models it nests) to ``done``, by name."""
    if model.__name__ in done:
        return
    done[model.__name__] = ""  # reserved first: a model may nest itself
    children = []
    for name, info in model.model_fields.items():
        repeats, inner = _shape(info.annotation)
        children.append(_element(name, inner, info.is_required(), repeats))
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            _complex_types(inner, done)
    done[model.__name__] = (
        f'<xs:complexType name="{model.__name__}"><xs:sequence>{"".join(children)}</xs:sequence></xs:complexType>'
    )


def build_wsdl(adapter: type[SoapAdapter], service: str, location: str) -> bytes:
    """The WSDL of ``adapter``'s operations, as the SOAP service named ``service`` at ``location``."""
    types_: dict[str, str] = {}
    elements, messages, port_ops, binding_ops = [], [], [], []
    for code, op in adapter.operations.items():
        for model, element in ((op.request_model, code), (op.response_model, f"{code}Response")):
            if model is None:
                continue
            _complex_types(model, types_)
            elements.append(f'<xs:element name="{element}" type="tns:{model.__name__}"/>')
            part = f'<wsdl:part name="parameters" element="tns:{element}"/>'
            messages.append(f'<wsdl:message name="{element}">{part}</wsdl:message>')
        port_ops.append(
            f'<wsdl:operation name="{code}"><wsdl:input message="tns:{code}"/>'
            f'<wsdl:output message="tns:{code}Response"/></wsdl:operation>'
        )
        body = '<soap:body use="literal"/>'
        binding_ops.append(
            f'<wsdl:operation name="{code}"><soap:operation soapAction={quoteattr(f"{adapter.namespace}/{code}")}'
            f' style="document"/><wsdl:input>{body}</wsdl:input><wsdl:output>{body}</wsdl:output></wsdl:operation>'
        )
    ns = quoteattr(adapter.namespace)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<wsdl:definitions xmlns:wsdl="{_WSDL}" xmlns:soap="{_SOAP}" xmlns:xs="{_XSD}" xmlns:tns={ns}'
        f' targetNamespace={ns} name="{service}">'
        f'<wsdl:types><xs:schema xmlns:xs="{_XSD}" xmlns:tns={ns} targetNamespace={ns} elementFormDefault="qualified">'
        f"{''.join(types_.values())}{''.join(elements)}</xs:schema></wsdl:types>"
        f"{''.join(messages)}"
        f'<wsdl:portType name="{service}PortType">{"".join(port_ops)}</wsdl:portType>'
        f'<wsdl:binding name="{service}Binding" type="tns:{service}PortType">'
        f'<soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>{"".join(binding_ops)}'
        "</wsdl:binding>"
        f'<wsdl:service name="{service}"><wsdl:port name="{service}Port" binding="tns:{service}Binding">'
        f"<soap:address location={quoteattr(location)}/></wsdl:port></wsdl:service>"
        "</wsdl:definitions>"
    ).encode()
