"""Simulated civil-status system (hộ tịch): interlinked birth and death registration.

It checks every person it is told about against the shared population: a birth whose mother (or
father) is not a citizen is refused with ``errorCode`` 106, as an interlinked registration would be. A
registered birth gives the child a citizen number and adds it to the population, so the population
database finds the child right after: the interlinked flow a trainer demonstrates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from adapters.base import NativeRequest, NativeResponse
from adapters.civil_status import CivilStatusAdapter
from ngsp_sim.sim.base import Handler, SimulatedAgency, json_reply

__all__ = ["CivilStatusAgency"]


def _refuse(code: int, message: str) -> NativeResponse:
    return json_reply({"status": 0, "errorCode": code, "message": message})


class CivilStatusAgency(SimulatedAgency):
    kind = "civil_status"

    def routes(self) -> Mapping[tuple[str, str], Handler]:
        self.dossiers: dict[str, dict[str, Any]] = {}
        paths = CivilStatusAdapter.native_paths
        return {("POST", paths["dangKyHoTich"]): self.register, ("POST", paths["traTrangThaiHoSo"]): self.status}

    async def register(self, request: NativeRequest) -> NativeResponse:
        try:
            body = orjson.loads(request.body)
            module, dossier, data = body["module"], body["maHoSo"], body["data"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return _refuse(100, "Dữ liệu không hợp lệ")
        if dossier in self.dossiers:
            return _refuse(101, f"Hồ sơ {dossier} đã được đăng ký")
        people = self.country.citizens
        reply: dict[str, Any] = {"status": 1, "message": "Tiếp nhận thành công"}
        if module == "LTKS":
            for role in ("soDinhDanhMe", "soDinhDanhCha"):
                if data.get(role) and data[role] not in people:
                    return _refuse(106, f"{role} {data[role]} không có trong CSDL quốc gia về dân cư")
            reply["soDinhDanhMoi"] = self.country.register_birth(
                data["hoTen"], data["gioiTinh"], data["ngaySinh"], data["soDinhDanhMe"], data.get("soDinhDanhCha")
            )
        elif module == "LTKT":
            if data.get("soDinhDanh") not in people:
                return _refuse(106, f"soDinhDanh {data.get('soDinhDanh')} không có trong CSDL quốc gia về dân cư")
        else:
            return _refuse(100, f"module {module!r} không hợp lệ")
        self.dossiers[dossier] = {"module": module, "trangThai": 3}
        return json_reply(reply)

    async def status(self, request: NativeRequest) -> NativeResponse:
        try:
            dossier = orjson.loads(request.body)["maHoSo"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return _refuse(100, "Dữ liệu không hợp lệ")
        found = self.dossiers.get(dossier)
        if found is None:
            return _refuse(201, f"Không tìm thấy hồ sơ {dossier}")
        return json_reply({"status": 1, "trangThai": found["trangThai"], "module": found["module"]})
