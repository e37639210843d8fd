"""Simulated National Population Database: SOAP/XML, citizen lookup 037.

An unknown citizen, or one whose ``HoVaTen`` / ``NgayThangNamSinh`` do not match, gets the native "not
found": an empty ``CongdanCollection``. A request the database cannot read gets a SOAP Fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from adapters.base import NativeFormatError, NativeRequest, NativeResponse
from adapters.soap import build_envelope, build_fault, read_envelope
from adapters.xml import xml_to_data
from ngsp_sim.sim.base import Handler, SimulatedAgency, xml_reply
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
        return {("POST", NATIVE_PATH): self.soap}

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
        return xml_reply(build_envelope(f"{operation}Response", NAMESPACE, body))

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
