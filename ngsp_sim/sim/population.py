"""Simulated National Population Database: SOAP/XML, citizen lookup 037.

An unknown citizen, or one whose ``HoVaTen`` / ``NgayThangNamSinh`` do not match, gets the native "not
found": an empty ``CongdanCollection``. A request the database cannot read gets a SOAP Fault. The service
describes itself at ``GET {NATIVE_PATH}?wsdl`` (WSDL 1.1 with the XSD of both operations), for SOAP clients.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from adapters.base import NativeFormatError, NativeRequest, NativeResponse
from adapters.population import PopulationAdapter
from adapters.soap import build_envelope, build_fault, read_envelope
from adapters.wsdl import build_wsdl
from adapters.xml import in_model_order, xml_to_data
from ngsp_sim.sim.base import Handler, SimulatedAgency, json_reply, xml_reply
from ngsp_sim.sim.names import same_name
from schemas.population import NAMESPACE, NATIVE_PATH, TraCuuThongTinCongDanRequest, XacThucThongTinCongDanRequest

_OPERATIONS: dict[str, tuple[type[BaseModel], str]] = {
    "TraCuuThongTinCongDan": (TraCuuThongTinCongDanRequest, "037"),
    "XacThucThongTinCongDan": (XacThucThongTinCongDanRequest, "033"),
}

__all__ = ["PopulationAgency"]


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

    async def soap(self, request: NativeRequest) -> NativeResponse:
        try:
            element = read_envelope(request.body)
        except NativeFormatError as exc:
            return xml_reply(build_fault("soapenv:Client", str(exc)), 500)
        operation = element.tag.removeprefix(f"{{{NAMESPACE}}}")
        if operation not in _OPERATIONS:
            return xml_reply(build_fault("soapenv:Client", f"unsupported operation <{element.tag}>"), 500)
        model, code = _OPERATIONS[operation]
        query = xml_to_data(element, model)
        if query.get("MaTichHop") != code:
            return xml_reply(build_fault("soapenv:Client", f"MaTichHop không hợp lệ (expected {code})"), 500)
        found = self._find(query)
        body: dict[str, Any] = {"MaYeuCau": query.get("MaYeuCau", "")}
        if operation == "XacThucThongTinCongDan":
            body["TonTai"] = bool(found)
        else:
            body["CongdanCollection"] = {"CongDan": [dict(r) for r in found]}
        reply = PopulationAdapter.operations[operation].response_model  # elements in the WSDL's order
        return xml_reply(build_envelope(f"{operation}Response", NAMESPACE, in_model_order(body, reply)))

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
