"""Simulated National Population Database: SOAP/XML, citizen lookup 037.

An unknown citizen, or one whose ``HoVaTen`` / ``NgayThangNamSinh`` do not match, gets the native "not
found": an empty ``CongdanCollection``. A request the database cannot read, or one that breaks the
request model the hub checks (read from the XML text), gets a SOAP Fault ``soapenv:Client``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

from adapters.base import NativeFormatError, NativeRequest, NativeResponse
from adapters.soap import build_envelope, build_fault, read_envelope
from adapters.xml import xml_to_data
from ngsp_sim.sim.base import Handler, Read, SimulatedAgency, describe, xml_reply
from ngsp_sim.sim.context import AgencyContext
from ngsp_sim.sim.names import same_name
from schemas.population import NAMESPACE, NATIVE_PATH, TraCuuThongTinCongDanRequest, XacThucThongTinCongDanRequest

_OPERATIONS: dict[str, type[BaseModel]] = {
    "TraCuuThongTinCongDan": TraCuuThongTinCongDanRequest,
    "XacThucThongTinCongDan": XacThucThongTinCongDanRequest,
}

__all__ = ["PopulationAgency"]

M = TypeVar("M", bound=BaseModel)


def _operation(request: NativeRequest) -> str:
    """The operation the SOAP Body names (its single element, in the database's namespace)."""
    element = read_envelope(request.body)
    operation = element.tag.removeprefix(f"{{{NAMESPACE}}}")
    if operation not in _OPERATIONS:
        raise ValueError(f"unsupported operation <{element.tag}>")
    return operation


def _soap_body(model: type[M], request: NativeRequest) -> M:
    """The SOAP Body's element read as ``model`` (XML carries text: the model's types read it)."""
    return model.model_validate(xml_to_data(read_envelope(request.body), model))


class PopulationAgency(SimulatedAgency):
    kind = "population"

    def __init__(self, context: AgencyContext) -> None:
        super().__init__(context)
        read: Read[Any] = _soap_body
        self._operations: dict[str, Handler] = {
            name: self.taking(model, self._answerer(name), read=read) for name, model in _OPERATIONS.items()
        }

    def routes(self) -> Mapping[tuple[str, str], Handler]:
        return {("POST", NATIVE_PATH): self.soap}

    def refuse_invalid(self, problem: str) -> NativeResponse:
        """A SOAP 1.1 Fault (``soapenv:Client``, HTTP 500 as SOAP 1.1 answers every fault)."""
        return xml_reply(build_fault("soapenv:Client", f"Yêu cầu không hợp lệ / invalid request: {problem}"), 500)

    async def soap(self, request: NativeRequest) -> NativeResponse:
        try:
            operation = _operation(request)
        except (ValueError, NativeFormatError) as exc:
            return self.refuse_invalid(describe(exc))
        return await self._operations[operation](request)

    def _answerer(self, operation: str) -> Callable[[BaseModel], Awaitable[NativeResponse]]:
        async def answer(query_model: BaseModel) -> NativeResponse:
            query = query_model.model_dump(mode="json", exclude_none=True)
            found = self._find(query)
            body: dict[str, Any] = {"MaYeuCau": query["MaYeuCau"]}
            if operation == "XacThucThongTinCongDan":
                body["TonTai"] = bool(found)
            else:
                body["CongdanCollection"] = {"CongDan": [dict(r) for r in found]}
            return xml_reply(build_envelope(f"{operation}Response", NAMESPACE, body))

        return answer

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
