"""Simulated shared reference lists (danh mục dùng chung): provinces (the pre-July-2025 table, version
``2025-01``) and ethnic groups (the first 20 of the 54, in the statistics office's order). Query
parameters that break the models the hub checks get ``Status`` 0 with a ``Message``."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from adapters.base import NativeResponse
from ngsp_sim.sim.base import Handler, json_reply, query_params
from ngsp_sim.sim.json_agency import JsonAgency
from schemas.reference import PROVINCES
from schemas.reference_lists import NATIVE_PATHS, DanhMucDanTocQuery, DanhMucDonViHanhChinhQuery

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


class ReferenceListsAgency(JsonAgency):
    kind = "reference_lists"
    invalid = MappingProxyType({"Status": 0, "Message": "Tham số không hợp lệ"})

    def routes(self) -> Mapping[tuple[str, str], Handler]:
        return {
            ("GET", NATIVE_PATHS["danhMucDonViHanhChinh"]): self.taking(
                DanhMucDonViHanhChinhQuery, self.units, read=query_params
            ),
            ("GET", NATIVE_PATHS["danhMucDanToc"]): self.taking(DanhMucDanTocQuery, self.ethnic, read=query_params),
        }

    @staticmethod
    def _answer(version: str | None, entries: list[dict[str, str]]) -> NativeResponse:
        version = version or VERSION
        if version != VERSION:
            return json_reply({"Status": 0, "Message": f"Không có phiên bản {version}; hiện có {VERSION}"})
        return json_reply({"Status": 1, "PhienBan": VERSION, "Data": entries})

    async def units(self, query: DanhMucDonViHanhChinhQuery) -> NativeResponse:
        return self._answer(query.phienBan, [{"Ma": code[1:], "Ten": name} for code, name in PROVINCES.items()])

    async def ethnic(self, query: DanhMucDanTocQuery) -> NativeResponse:
        return self._answer(
            query.phienBan, [{"Ma": f"{i:02d}", "Ten": name} for i, name in enumerate(ETHNIC_GROUPS, 1)]
        )
