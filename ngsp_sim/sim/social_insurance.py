"""Simulated social-insurance database (BHXH): finds people by name, date of birth, sex and province of
birth registration in the shared population, and answers each one's BHXH number."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from adapters.base import NativeRequest, NativeResponse
from adapters.social_insurance import SocialInsuranceAdapter
from ngsp_sim.sim.base import Handler, SimulatedAgency, json_reply

__all__ = ["SocialInsuranceAgency"]

Key = tuple[str, str, str]


def _name(record: Mapping[str, Any]) -> str:
    n = record["HoVaTen"]
    return " ".join(p for p in (n["Ho"], n.get("ChuDem"), n["Ten"]) if p).casefold()


class SocialInsuranceAgency(SimulatedAgency):
    kind = "social_insurance"

    def routes(self) -> Mapping[tuple[str, str], Handler]:
        self._index: dict[Key, list[str]] = {}
        self._indexed = 0
        return {("POST", SocialInsuranceAdapter.native_paths["getMaSoBhxhTheoTieuChi"]): self.lookup}

    def _people(self, key: Key) -> list[str]:
        citizens = self.country.citizens
        if self._indexed != len(citizens):  # the population grew (births): index again
            self._index = {}
            for number, r in citizens.items():
                k = (_name(r), r["NgayThangNamSinh"].get("NgayThangNam", ""), r["GioiTinh"])
                self._index.setdefault(k, []).append(number)
            self._indexed = len(citizens)
        return self._index.get(key, [])

    async def lookup(self, request: NativeRequest) -> NativeResponse:
        try:
            q = orjson.loads(request.body)
            key = (" ".join(str(q["hoTen"]).split()).casefold(), str(q["ngaySinh"]), str(q["gioiTinh"]))
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return json_reply({"status": 0, "message": "Dữ liệu không hợp lệ"})
        matches = []
        for number in self._people(key):
            record = self.country.citizens[number]
            if q.get("isKs") and record["NoiDangKyKhaiSinh"]["MaTinhThanh"] != q.get("maTinhKs"):
                continue
            matches.append(
                {
                    "maSoBhxh": self.country.social_insurance_number(number),
                    "trangThai": 1,
                    "hoTen": " ".join(
                        p
                        for p in (record["HoVaTen"]["Ho"], record["HoVaTen"].get("ChuDem"), record["HoVaTen"]["Ten"])
                        if p
                    ),
                    "ngaySinh": record["NgayThangNamSinh"]["NgayThangNam"],
                }
            )
        if not matches:
            return json_reply({"status": 0, "message": "Không tìm thấy người tham gia BHXH"})
        return json_reply({"status": 1, "data": matches})
