"""Simulated criminal-record service (lý lịch tư pháp): an application is checked against the
population, then its state moves on the agency's clock: 3 processing, 4 ready after
``days_to_ready`` (default 3), 5 returned after ``days_to_return`` (default 5)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from adapters.base import NativeResponse
from ngsp_sim.sim.base import Handler, json_reply
from ngsp_sim.sim.context import AgencyContext
from ngsp_sim.sim.json_agency import JsonAgency
from ngsp_sim.sim.names import same_name
from schemas.criminal_records import NATIVE_PATHS, NhanHoSoDangKyRequest, TraTrangThaiHsRequest

__all__ = ["CriminalRecordsAgency"]

DAY = 86_400.0


class CriminalRecordsAgency(JsonAgency):
    kind = "criminal_records"
    invalid = MappingProxyType({"STATUS": 0, "MESSAGE": "Dữ liệu không hợp lệ"})

    def __init__(self, context: AgencyContext) -> None:
        super().__init__(context)
        self.applications: dict[str, dict[str, Any]] = {}

    def routes(self) -> Mapping[tuple[str, str], Handler]:
        return {
            ("POST", NATIVE_PATHS["nhanHoSoDangKy"]): self.taking(NhanHoSoDangKyRequest, self.apply),
            ("POST", NATIVE_PATHS["traTrangThaiHs"]): self.taking(TraTrangThaiHsRequest, self.state),
        }

    async def apply(self, body: NhanHoSoDangKyRequest) -> NativeResponse:
        person = self.country.citizens.get(body.SO_DINH_DANH)
        if person is None:
            return json_reply({"STATUS": 0, "MESSAGE": "Số định danh không có trong CSDL quốc gia về dân cư"})
        if not same_name(body.HO_TEN, person) or person["NgayThangNamSinh"]["NgayThangNam"] != body.NGAY_SINH:
            return json_reply({"STATUS": 0, "MESSAGE": "Họ tên hoặc ngày sinh không khớp với CSDL dân cư"})
        ident = f"LLTP-{len(self.applications) + 1:06d}"
        self.applications[ident] = {"at": self.clock.now(), "MA_HO_SO": body.MA_HO_SO}
        return json_reply({"STATUS": 1, "ID": ident, "MESSAGE": "Tiếp nhận hồ sơ thành công"})

    async def state(self, body: TraTrangThaiHsRequest) -> NativeResponse:
        found = self.applications.get(body.ID)
        if found is None:
            return json_reply({"STATUS": 0, "MESSAGE": "Không tìm thấy hồ sơ"})
        days = (self.clock.now() - found["at"]) / DAY
        state = (
            5
            if days >= float(self.options.get("days_to_return", 5))
            else 4
            if days >= float(self.options.get("days_to_ready", 3))
            else 3
        )
        return json_reply({"STATUS": 1, "TRANG_THAI": state})
