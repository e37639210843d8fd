"""Simulated civil-status system (hộ tịch): interlinked birth and death registration.

It checks every person it is told about against the shared population: a birth whose mother (or
father) is not a citizen is refused with ``errorCode`` 106, as an interlinked registration would be. A
registered birth gives the child a citizen number and adds it to the population, so the population
database finds the child right after: the interlinked flow a trainer demonstrates.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from adapters.base import NativeResponse
from ngsp_sim.sim.base import Handler, json_reply
from ngsp_sim.sim.context import AgencyContext
from ngsp_sim.sim.json_agency import JsonAgency
from schemas.civil_status import NATIVE_PATHS, BirthRegistration, DangKyHoTichRequest, TraTrangThaiHoSoRequest

__all__ = ["CivilStatusAgency"]


def _refuse(code: int, message: str) -> NativeResponse:
    return json_reply({"status": 0, "errorCode": code, "message": message})


class CivilStatusAgency(JsonAgency):
    kind = "civil_status"
    invalid = MappingProxyType({"status": 0, "errorCode": 100, "message": "Dữ liệu không hợp lệ"})

    def __init__(self, context: AgencyContext) -> None:
        super().__init__(context)
        self.dossiers: dict[str, dict[str, Any]] = {k: dict(v) for k, v in self.country.civil_registrations.items()}

    def routes(self) -> Mapping[tuple[str, str], Handler]:
        return {
            ("POST", NATIVE_PATHS["dangKyHoTich"]): self.taking(DangKyHoTichRequest, self.register),
            ("POST", NATIVE_PATHS["traTrangThaiHoSo"]): self.taking(TraTrangThaiHoSoRequest, self.status),
        }

    async def register(self, body: DangKyHoTichRequest) -> NativeResponse:
        registration = body.root  # the model pairs the module with its data: LTKS a birth, LTKT a death
        dossier = registration.maHoSo
        if dossier in self.dossiers:
            return _refuse(101, f"Hồ sơ {dossier} đã được đăng ký")
        people = self.country.citizens
        reply: dict[str, Any] = {"status": 1, "message": "Tiếp nhận thành công"}
        if isinstance(registration, BirthRegistration):
            data = registration.data
            for role, number in (("soDinhDanhMe", data.soDinhDanhMe), ("soDinhDanhCha", data.soDinhDanhCha)):
                if number and number not in people:
                    return _refuse(106, f"{role} {number} không có trong CSDL quốc gia về dân cư")
            reply["soDinhDanhMoi"] = self.country.register_birth(
                data.hoTen, data.gioiTinh, data.ngaySinh, data.soDinhDanhMe, data.soDinhDanhCha
            )
        elif registration.data.soDinhDanh not in people:
            return _refuse(106, f"soDinhDanh {registration.data.soDinhDanh} không có trong CSDL quốc gia về dân cư")
        self.dossiers[dossier] = {"module": registration.module, "trangThai": 3}
        return json_reply(reply)

    async def status(self, body: TraTrangThaiHoSoRequest) -> NativeResponse:
        found = self.dossiers.get(body.maHoSo)
        if found is None:
            return _refuse(201, f"Không tìm thấy hồ sơ {body.maHoSo}")
        return json_reply({"status": 1, "trangThai": found["trangThai"], "module": found["module"]})
