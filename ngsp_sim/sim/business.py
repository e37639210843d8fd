"""Simulated National Business Registration Database: UPPERCASE JSON at ``/apiCSDLDKDN/1.0``."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.base import NativeRequest, NativeResponse
from ngsp_sim.sim.base import Handler, SimulatedAgency, json_reply
from schemas.business import NATIVE_PATHS

__all__ = ["BusinessAgency"]


class BusinessAgency(SimulatedAgency):
    kind = "business"

    def routes(self) -> Mapping[tuple[str, str], Handler]:
        return {
            ("GET", NATIVE_PATHS["chiTietDoanhNghiep"]): self.details,
            ("GET", NATIVE_PATHS["tinhTrangHoSo"]): self.dossier,
        }

    async def details(self, request: NativeRequest) -> NativeResponse:
        msdn = dict(request.query).get("msdn", "")
        record = self.country.businesses.get(msdn)
        if record is None:
            return json_reply({"Status": 0, "Message": "Không tìm thấy doanh nghiệp", "MainInformation": None})
        return json_reply({"Status": 1, "Message": "Thành công", **record})

    async def dossier(self, request: NativeRequest) -> NativeResponse:
        found = self.country.business_dossiers.get(dict(request.query).get("in_journal_no", ""))
        if found is None:
            return json_reply({"Status": 0, "Message": "Không tìm thấy hồ sơ đăng ký"})
        return json_reply({"Status": 1, "Message": "Thành công", **found})
