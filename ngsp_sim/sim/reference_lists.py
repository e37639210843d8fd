"""Simulated shared reference lists (danh mục dùng chung): province-level units (version ``2025-07``,
the 34 from 1 July 2025, by default; ``2025-01``, the 63 before the merger, still readable) and ethnic
groups (the first 20 of the 54, in the statistics office's order; version ``2025-01``, unchanged by the
reform). An unknown version, or query parameters that break the models the hub checks, get ``Status`` 0
with a ``Message``."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from adapters.base import NativeResponse
from ngsp_sim.sim.base import Handler, json_reply, query_params
from ngsp_sim.sim.json_agency import JsonAgency
from schemas.administrative_units import UNIT_TABLES, UNITS_CURRENT
from schemas.reference_lists import NATIVE_PATHS, DanhMucDanTocQuery, DanhMucDonViHanhChinhQuery

__all__ = ["ReferenceListsAgency"]

ETHNIC_VERSION = "2025-01"
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
    def _answer(asked: str | None, default: str, tables: Mapping[str, list[dict[str, str]]]) -> NativeResponse:
        version = asked or default
        if version not in tables:
            known = ", ".join(sorted(tables))
            return json_reply({"Status": 0, "Message": f"Không có phiên bản {version}; hiện có {known}"})
        return json_reply({"Status": 1, "PhienBan": version, "Data": tables[version]})

    async def units(self, query: DanhMucDonViHanhChinhQuery) -> NativeResponse:
        tables = {
            version: [{"Ma": ma, "Ten": ten} for ma, ten in units.items()] for version, units in UNIT_TABLES.items()
        }
        return self._answer(query.phienBan, UNITS_CURRENT, tables)

    async def ethnic(self, query: DanhMucDanTocQuery) -> NativeResponse:
        entries = [{"Ma": f"{i:02d}", "Ten": name} for i, name in enumerate(ETHNIC_GROUPS, 1)]
        return self._answer(query.phienBan, ETHNIC_VERSION, {ETHNIC_VERSION: entries})
