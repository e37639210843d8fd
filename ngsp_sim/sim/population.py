"""Simulated National Population Database: SOAP/XML, citizen lookup 037.

An unknown citizen, or one whose ``HoVaTen`` / ``NgayThangNamSinh`` do not match, gets the native "not
found": an empty ``CongdanCollection``. A request the database cannot read, or one that breaks the
request model the hub checks (read from the XML text), gets a SOAP Fault ``soapenv:Client``. The service
describes itself at ``GET {NATIVE_PATH}?wsdl`` (WSDL 1.1 with the XSD of both operations), for SOAP clients.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from adapters.base import NativeFormatError, NativeRequest, NativeResponse
from adapters.population import PopulationAdapter
from adapters.soap import build_fault, read_envelope, soap_answer
from adapters.wsdl import build_wsdl
from adapters.xml import in_model_order, xml_to_data
from ngsp_sim.sim.base import Handler, SimulatedAgency, describe, json_reply, xml_reply
from ngsp_sim.sim.names import same_name
from schemas.population import NAMESPACE, NATIVE_PATH, TraCuuThongTinCongDanRequest, XacThucThongTinCongDanRequest

_OPERATIONS: dict[str, type[BaseModel]] = {
    "TraCuuThongTinCongDan": TraCuuThongTinCongDanRequest,
    "XacThucThongTinCongDan": XacThucThongTinCongDanRequest,
}

__all__ = ["PopulationAgency"]


def _read(request: NativeRequest) -> tuple[str, dict[str, Any]]:
    """The operation the SOAP Body names and its content, checked with the operation's request model
    (XML carries text: the model's types read it). Raises on anything it cannot read or that breaks it.
    Called by the hub in-process, it takes the hub's own checked reading of these very bytes
    (:meth:`~adapters.base.NativeRequest.validated`; the SOAP adapter wrote them from it, and a test holds
    that reading them gives it back)."""
    for operation, model in _OPERATIONS.items():
        if (given := request.validated(model)) is not None:
            return operation, given.model_dump(mode="json", exclude_none=True)
    element = read_envelope(request.body)
    operation = element.tag.removeprefix(f"{{{NAMESPACE}}}")
    named = _OPERATIONS.get(operation)
    if named is None:
        raise ValueError(f"unsupported operation <{element.tag}>")
    return operation, named.model_validate(xml_to_data(element, named)).model_dump(mode="json", exclude_none=True)


class PopulationAgency(SimulatedAgency):
    kind = "population"

    def routes(self) -> Mapping[tuple[str, str], Handler]:
        return {("POST", NATIVE_PATH): self.soap, ("GET", NATIVE_PATH): self.wsdl}

    async def wsdl(self, request: NativeRequest) -> NativeResponse:
        """``?wsdl``: the service description, its address where the caller reached it."""
        if not any(name.lower() == "wsdl" for name, _ in request.query):
            return json_reply({"error": f"GET {NATIVE_PATH}?wsdl describes the service; calls are POST"}, 405)
        host = next((v for k, v in request.headers.items() if k.lower() == "host"), "127.0.0.1")
        return xml_reply(build_wsdl(PopulationAdapter, "CSDLQGDC", f"http://{host}{NATIVE_PATH}"))

    def refuse_invalid(self, problem: str) -> NativeResponse:
        """A SOAP 1.1 Fault (``soapenv:Client``, HTTP 500 as SOAP 1.1 answers every fault)."""
        return xml_reply(build_fault("soapenv:Client", f"Yêu cầu không hợp lệ / invalid request: {problem}"), 500)

    async def soap(self, request: NativeRequest) -> NativeResponse:
        try:
            operation, query = _read(request)
        except (ValueError, NativeFormatError) as exc:
            return self.refuse_invalid(describe(exc))
        found = self._find(query)
        body: dict[str, Any] = {"MaYeuCau": query["MaYeuCau"]}
        if operation == "XacThucThongTinCongDan":
            body["TonTai"] = bool(found)
        else:
            body["CongdanCollection"] = {"CongDan": [dict(r) for r in found]}
        reply = PopulationAdapter.operations[operation].response_model
        return soap_answer(operation, NAMESPACE, in_model_order(body, reply), reply)  # in the WSDL's order

    def _find(self, query: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        record: Mapping[str, Any] | None = None
        if number := query.get("SoDinhDanh"):
            record = self.country.citizens.get(number)
        elif cmnd := query.get("SoCMND"):
            record = next((r for r in self.country.citizens.values() if r.get("SoCMND") == cmnd), None)
        if record is None:
            return []
        if (name := query.get("HoVaTen")) and not same_name(name, record):
            return []
        birth = query.get("NgayThangNamSinh") or {}
        born = record["NgayThangNamSinh"]["NgayThangNam"]
        if birth.get("NgayThangNam") and birth["NgayThangNam"] != born:
            return []
        if birth.get("Nam") and birth["Nam"] != born[:4]:
            return []
        return [record]
