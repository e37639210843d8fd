"""Simulated National Business Registration Database: UPPERCASE JSON at ``/apiCSDLDKDN/1.0``.

Query parameters are checked with the same models the hub checks; what breaks them gets the
registry's own refusal, ``Status`` 0 with a ``Message``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from adapters.base import NativeResponse
from ngsp_sim.sim.base import Handler, json_reply, query_params
from ngsp_sim.sim.json_agency import JsonAgency
from schemas.business import NATIVE_PATHS, ChiTietDoanhNghiepQuery, TinhTrangHoSoQuery

__all__ = ["BusinessAgency"]


class BusinessAgency(JsonAgency):
    kind = "business"
    invalid = MappingProxyType({"Status": 0, "Message": "Tham số không hợp lệ"})

    def routes(self) -> Mapping[tuple[str, str], Handler]:
        return {
            ("GET", NATIVE_PATHS["chiTietDoanhNghiep"]): self.taking(
                ChiTietDoanhNghiepQuery, self.details, read=query_params
            ),
            ("GET", NATIVE_PATHS["tinhTrangHoSo"]): self.taking(TinhTrangHoSoQuery, self.dossier, read=query_params),
        }

    async def details(self, query: ChiTietDoanhNghiepQuery) -> NativeResponse:
        record = self.country.businesses.get(query.msdn)
        if record is None:
            return json_reply({"Status": 0, "Message": "Không tìm thấy doanh nghiệp", "MainInformation": None})
        return json_reply({"Status": 1, "Message": "Thành công", **record})

    async def dossier(self, query: TinhTrangHoSoQuery) -> NativeResponse:
        found = self.country.business_dossiers.get(query.in_journal_no)
        if found is None:
            return json_reply({"Status": 0, "Message": "Không tìm thấy hồ sơ đăng ký"})
        return json_reply({"Status": 1, "Message": "Thành công", **found})
