"""Simulated shared reference lists (danh mục dùng chung): provinces (the pre-July-2025 table, version
``2025-01``) and ethnic groups (the first 20 of the 54, in the statistics office's order)."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.base import NativeRequest, NativeResponse
from ngsp_sim.sim.base import Handler, SimulatedAgency, json_reply
from schemas.reference import PROVINCES
from schemas.reference_lists import NATIVE_PATHS

__all__ = ["ReferenceListsAgency"]

VERSION = "2025-01"
ETHNIC_GROUPS = (
    "Kinh",
    "Tày",
    "Thái",
    "Hoa",
    "Khmer",
    "Mường",
    "Nùng",
    "Mông",
    "Dao",
    "Gia Rai",
    "Ngái",
    "Ê Đê",
    "Ba Na",
    "Xơ Đăng",
    "Sán Chay",
    "Cơ Ho",
    "Chăm",
    "Sán Dìu",
    "Hrê",
    "Mnông",
)


class ReferenceListsAgency(SimulatedAgency):
    kind = "reference_lists"

    def routes(self) -> Mapping[tuple[str, str], Handler]:
        return {
            ("GET", NATIVE_PATHS["danhMucDonViHanhChinh"]): self.units,
            ("GET", NATIVE_PATHS["danhMucDanToc"]): self.ethnic,
        }

    @staticmethod
    def _answer(request: NativeRequest, entries: list[dict[str, str]]) -> NativeResponse:
        version = dict(request.query).get("phienBan") or VERSION
        if version != VERSION:
            return json_reply({"Status": 0, "Message": f"Không có phiên bản {version}; hiện có {VERSION}"})
        return json_reply({"Status": 1, "PhienBan": VERSION, "Data": entries})

    async def units(self, request: NativeRequest) -> NativeResponse:
        return self._answer(request, [{"Ma": code[1:], "Ten": name} for code, name in PROVINCES.items()])

    async def ethnic(self, request: NativeRequest) -> NativeResponse:
        return self._answer(request, [{"Ma": f"{i:02d}", "Ten": name} for i, name in enumerate(ETHNIC_GROUPS, 1)])
