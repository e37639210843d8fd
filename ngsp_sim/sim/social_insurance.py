"""Simulated social-insurance database (BHXH): finds people by name, date of birth, sex and province of
birth registration in the shared population, and answers each one's BHXH number."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from adapters.base import NativeResponse
from ngsp_sim.sim.base import Handler, json_reply
from ngsp_sim.sim.context import AgencyContext
from ngsp_sim.sim.json_agency import JsonAgency
from ngsp_sim.sim.names import fold, full_name
from schemas.social_insurance import NATIVE_PATHS, GetMaSoBhxhRequest

__all__ = ["SocialInsuranceAgency"]

Key = tuple[str, str, str]


class SocialInsuranceAgency(JsonAgency):
    kind = "social_insurance"
    invalid = MappingProxyType({"status": 0, "message": "Dữ liệu không hợp lệ"})

    def __init__(self, context: AgencyContext) -> None:
        super().__init__(context)
        self._index: dict[Key, list[str]] = {}
        self._indexed = 0

    def routes(self) -> Mapping[tuple[str, str], Handler]:
        return {("POST", NATIVE_PATHS["getMaSoBhxhTheoTieuChi"]): self.taking(GetMaSoBhxhRequest, self.lookup)}

    def _people(self, key: Key) -> list[str]:
        citizens = self.country.citizens
        if self._indexed != len(citizens):  # the population grew (births): index again
            self._index = {}
            for number, r in citizens.items():
                k = (fold(full_name(r)), r["NgayThangNamSinh"].get("NgayThangNam", ""), r["GioiTinh"])
                self._index.setdefault(k, []).append(number)
            self._indexed = len(citizens)
        return self._index.get(key, [])

    async def lookup(self, q: GetMaSoBhxhRequest) -> NativeResponse:
        matches = []
        for number in self._people((fold(q.hoTen), q.ngaySinh, str(q.gioiTinh))):
            record = self.country.citizens[number]
            if q.isKs and record["NoiDangKyKhaiSinh"]["MaTinhThanh"] != q.maTinhKs:
                continue
            matches.append(
                {
                    "maSoBhxh": self.country.social_insurance_number(number),
                    "trangThai": 1,
                    "hoTen": full_name(record),
                    "ngaySinh": record["NgayThangNamSinh"]["NgayThangNam"],
                }
            )
        if not matches:
            return json_reply({"status": 0, "message": "Không tìm thấy người tham gia BHXH"})
        return json_reply({"status": 1, "data": matches})
