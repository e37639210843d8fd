"""Simulated criminal-record service (lý lịch tư pháp): an application is checked against the
population, then its state moves on the agency's clock: 3 processing, 4 ready after
``days_to_ready`` (default 3), 5 returned after ``days_to_return`` (default 5)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from adapters.base import NativeRequest, NativeResponse
from adapters.criminal_records import CriminalRecordsAdapter
from ngsp_sim.sim.base import Handler, SimulatedAgency, json_reply

__all__ = ["CriminalRecordsAgency"]

DAY = 86_400.0


class CriminalRecordsAgency(SimulatedAgency):
    kind = "criminal_records"

    def routes(self) -> Mapping[tuple[str, str], Handler]:
        self.applications: dict[str, dict[str, Any]] = {}
        paths = CriminalRecordsAdapter.native_paths
        return {("POST", paths["nhanHoSoDangKy"]): self.apply, ("POST", paths["traTrangThaiHs"]): self.state}

    async def apply(self, request: NativeRequest) -> NativeResponse:
        try:
            body = orjson.loads(request.body)
            number, name, born = body["SO_DINH_DANH"], body["HO_TEN"], body["NGAY_SINH"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return json_reply({"STATUS": 0, "MESSAGE": "Dữ liệu không hợp lệ"})
        person = self.country.citizens.get(number)
        if person is None:
            return json_reply({"STATUS": 0, "MESSAGE": "Số định danh không có trong CSDL quốc gia về dân cư"})
        n = person["HoVaTen"]
        full = " ".join(p for p in (n["Ho"], n.get("ChuDem"), n["Ten"]) if p)
        if " ".join(name.split()).casefold() != full.casefold() or person["NgayThangNamSinh"]["NgayThangNam"] != born:
            return json_reply({"STATUS": 0, "MESSAGE": "Họ tên hoặc ngày sinh không khớp với CSDL dân cư"})
        ident = f"LLTP-{len(self.applications) + 1:06d}"
        self.applications[ident] = {"at": self.clock.now(), "MA_HO_SO": body.get("MA_HO_SO")}
        return json_reply({"STATUS": 1, "ID": ident, "MESSAGE": "Tiếp nhận hồ sơ thành công"})

    async def state(self, request: NativeRequest) -> NativeResponse:
        try:
            found = self.applications.get(str(orjson.loads(request.body)["ID"]))
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return json_reply({"STATUS": 0, "MESSAGE": "Dữ liệu không hợp lệ"})
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
