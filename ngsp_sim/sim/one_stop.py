"""Simulated provincial one-stop system: receives dossiers the way a real one does.

On ``TiepNhanHoSo`` it checks the applicant against the population database (033, through the hub, as
itself), gives the dossier a code ``{agency}-{yyMMdd}-{NNNN}``, and syncs it to DVCQG
(``DongBoHoSoMC``, through the hub). Each dossier then moves 2 received -> 4 processing -> 9 processed
-> 10 result returned, one step every ``step_hours`` (default 24) of the agency's clock, or at once when
a trainer calls ``ChuyenBuocHoSo``; every step is reported to DVCQG (``CapNhatTienDoHoSoMC``). Because
these calls go through the hub, they are logged, access-checked and hit by injected faults like any other.
Each status a dossier takes is also published as a ``dossier.status`` event on
``dossier-status:{province}`` (``H29`` for Hồ Chí Minh City) for webhook subscribers.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from adapters.base import NativeResponse
from ngsp_sim.sim.base import Handler, json_reply
from ngsp_sim.sim.context import AgencyContext
from ngsp_sim.sim.country import PROCEDURES
from ngsp_sim.sim.json_agency import JsonAgency
from schemas.one_stop import NATIVE_PATHS, TiepNhanHoSoRequest, TraCuuTrangThaiHoSoRequest

__all__ = ["OneStopAgency"]

NEXT_STATE = {1: 2, 2: 4, 4: 9, 9: 10}
STEP_TEXT = {2: "Đã tiếp nhận hồ sơ", 4: "Đang xử lý", 9: "Đã có kết quả", 10: "Đã trả kết quả"}
POPULATION_033 = "VN/GOV/000.00.00.G01/CSDLQGDC/XacThucThongTinCongDan"
DVCQG = "VN/GOV/000.00.00.G22/DVCQG"


def _refuse(text: str) -> NativeResponse:
    return json_reply({"KetQua": 0, "MoTa": text})


class OneStopAgency(JsonAgency):
    kind = "one_stop"
    invalid = MappingProxyType({"KetQua": 0, "MoTa": "Dữ liệu không hợp lệ"})

    def __init__(self, context: AgencyContext) -> None:
        super().__init__(context)
        self.step_seconds = float(self.options.get("step_hours", 24)) * 3600
        # The country's stable records this one-stop system received (by their code's agency part), so that
        # it and DVCQG agree on the demo dossier from the start.
        now, own = self.clock.now(), f"{self.agency_code}-"
        self.dossiers: dict[str, dict[str, Any]] = {
            code: {"record": dict(record), "since": now}
            for code, record in self.country.dossiers.items()
            if code.startswith(own)
        }

    def routes(self) -> Mapping[tuple[str, str], Handler]:
        return {
            ("POST", NATIVE_PATHS["TiepNhanHoSo"]): self.taking(TiepNhanHoSoRequest, self.receive),
            ("POST", NATIVE_PATHS["TraCuuTrangThaiHoSo"]): self.taking(TraCuuTrangThaiHoSoRequest, self.status),
            ("POST", NATIVE_PATHS["ChuyenBuocHoSo"]): self.taking(TraCuuTrangThaiHoSoRequest, self.step),
        }

    @property
    def agency_code(self) -> str:
        return (self.identity or "VN/GOV/000.00.00.H29/MOTCUA").split("/")[2]

    def _stamp(self, at: float) -> str:
        return datetime.fromtimestamp(at, UTC).strftime("%Y%m%d%H%M%S")

    async def _announce(self, code: str, state: int) -> None:
        """A ``dossier.status`` event on ``dossier-status:{province}`` (e.g. ``dossier-status:H29``)."""
        if self.publish is not None:
            province = self.agency_code.rsplit(".", 1)[-1]
            data = {
                "MaHoSo": code,
                "TrangThaiHoSo": state,
                "DonViXuLy": self.agency_code,
                "ThoiDiem": self._stamp(self.clock.now()),
            }
            await self.publish(f"dossier-status:{province}", "dossier.status", data)

    async def _call(self, service: str, body: dict[str, Any]) -> tuple[int, object]:
        if self.hub is None or self.identity is None:
            return 503, {"message": "not connected to a hub"}
        return await self.hub(self.identity, service, body)

    async def receive(self, form: TiepNhanHoSoRequest) -> NativeResponse:
        number, name, born, code = form.SoGiayToChuHoSo, form.ChuHoSo, form.NgaySinhChuHoSo, form.MaTTHC
        procedure = next((p for p in PROCEDURES if p["MaTTHC"] == code[:8]), None)  # d.dddddd, national part
        if procedure is None:
            return _refuse(f"Thủ tục {code} không có trong danh mục")
        check = {
            "MaYeuCau": f"MC-{len(self.dossiers) + 1}",
            "MaDVC": code,
            "MaTichHop": "033",
            "MaCanBo": "motcua",
            "MaDonVi": self.agency_code,
            "SoDinhDanh": number,
            "HoVaTen": name,
            "NgayThangNamSinh": {"NgayThangNam": born},
        }
        status, answer = await self._call(POPULATION_033, check)
        if status != 200 or not isinstance(answer, dict):  # no answer about the applicant at all
            return _refuse(
                "Không xác thực được người nộp: CSDL quốc gia về dân cư không phản hồi, vui lòng thử lại sau"
            )
        if answer.get("TonTai") is not True:
            return _refuse("Thông tin người nộp không khớp với CSDL quốc gia về dân cư")
        now = self.clock.now()
        dossier_code = self._new_code(now)
        dossier = {
            "MaHoSo": dossier_code,
            "MaTTHC": procedure["MaTTHC"],
            "TenTTHC": procedure["TenTTHC"],
            "MaLinhVuc": procedure["MaLinhVuc"],
            "TenLinhVuc": procedure["TenLinhVuc"],
            "KenhThucHien": form.KenhThucHien,
            "ChuHoSo": name,
            "LoaiDoiTuong": 1,
            "SoGiayToChuHoSo": number,
            "TrichYeuHoSo": form.TrichYeuHoSo,
            "NgayTiepNhan": self._stamp(now),
            "NgayHenTra": self._stamp(now + 7 * 86_400),
            "TrangThaiHoSo": 2,
            "DonViXuLy": self.agency_code,
        }
        self.dossiers[dossier_code] = {"record": dossier, "since": now}
        await self._announce(dossier_code, 2)
        synced, _ = await self._call(f"{DVCQG}/DongBoHoSoMC", {"isUpdating": False, "data": [dossier]})
        return json_reply({"KetQua": 1, "MaHoSo": dossier_code, "TrangThaiHoSo": 2, "DongBoDVCQG": synced == 200})

    def _new_code(self, now: float) -> str:
        """``{agency}-{yyMMdd}-{NNNN}``, the next serial of the day not yet used."""
        day = f"{self.agency_code}-{datetime.fromtimestamp(now, UTC):%y%m%d}-"
        serial = 1 + sum(1 for code in self.dossiers if code.startswith(day))
        return f"{day}{serial:04d}"

    async def _advance(self, code: str, *, forced: bool) -> bool | None:
        """Move ``code`` on by every step that is due (one when ``forced``); True if DVCQG took all."""
        found = self.dossiers[code]
        record, synced = found["record"], None
        due = 1 if forced else int((self.clock.now() - found["since"]) // self.step_seconds)
        for _ in range(due):
            state = NEXT_STATE.get(record["TrangThaiHoSo"])
            if state is None:
                break
            record["TrangThaiHoSo"] = state
            await self._announce(code, state)
            found["since"] = found["since"] + self.step_seconds if not forced else self.clock.now()
            step = {
                "MaHoSo": code,
                "NguoiXuLy": "Cán bộ một cửa",
                "ChucDanh": "Chuyên viên",
                "ThoiDiemXuLy": self._stamp(self.clock.now()),
                "NoiDungXuLy": STEP_TEXT[state],
                "TrangThai": state,
            }
            status, answer = await self._call(f"{DVCQG}/CapNhatTienDoHoSoMC", {"data": [step]})
            ok = status == 200 and isinstance(answer, dict) and answer.get("error_code") == 0
            synced = ok if synced is None else synced and ok
        return synced

    async def _answer(self, body: TraCuuTrangThaiHoSoRequest, *, forced: bool) -> NativeResponse:
        code = body.MaHoSo
        if code not in self.dossiers:
            return _refuse(f"Không tìm thấy hồ sơ {code}")
        synced = await self._advance(code, forced=forced)
        state = self.dossiers[code]["record"]["TrangThaiHoSo"]
        return json_reply({"KetQua": 1, "MaHoSo": code, "TrangThaiHoSo": state, "DongBoDVCQG": synced})

    async def status(self, body: TraCuuTrangThaiHoSoRequest) -> NativeResponse:
        return await self._answer(body, forced=False)

    async def step(self, body: TraCuuTrangThaiHoSoRequest) -> NativeResponse:
        return await self._answer(body, forced=True)
