"""Simulated tax authority: financial-obligation notices for land dossiers, and their payment status.

A notice gets a decision number (``SoQuyetDinh``) counted per tax authority; it stays unpaid
(``TrangThaiThanhToan`` 0) until :meth:`TaxAgency.pay` records a payment (the payment platform's
confirmation, in a later milestone).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from adapters.base import NativeResponse
from ngsp_sim.sim.base import Handler, json_reply
from ngsp_sim.sim.context import AgencyContext
from ngsp_sim.sim.json_agency import JsonAgency
from schemas.tax import NATIVE_PATHS, ChungTuThueRequest, ThongBaoThueRequest

__all__ = ["TaxAgency"]


class TaxAgency(JsonAgency):
    kind = "tax"
    invalid = MappingProxyType({"MaLoi": "02", "MoTaLoi": "Dữ liệu không hợp lệ"})

    def __init__(self, context: AgencyContext) -> None:
        super().__init__(context)
        self.notices: dict[tuple[str, str], dict[str, Any]] = {}

    def routes(self) -> Mapping[tuple[str, str], Handler]:
        return {
            ("POST", NATIVE_PATHS["ThongBaoThue"]): self.taking(ThongBaoThueRequest, self.notice),
            ("POST", NATIVE_PATHS["ChungTuThue"]): self.taking(ChungTuThueRequest, self.receipt),
        }

    async def notice(self, body: ThongBaoThueRequest) -> NativeResponse:
        number = f"{len(self.notices) + 1:06d}/TB-CT"
        self.notices[(body.MaSoThue, number)] = {"SoTien": body.SoTien, "paid": None, "MaHoSo": body.MaHoSo}
        return json_reply(
            {
                "MaLoi": "00",
                "MoTaLoi": "Thành công",
                "SoQuyetDinh": number,
                "SoTien": body.SoTien,
                "TrangThaiThanhToan": 0,
            }
        )

    def pay(self, tax_code: str, number: str) -> None:
        notice = self.notices[(tax_code, number)]
        paid_at = datetime.fromtimestamp(self.clock.now(), UTC).strftime("%Y%m%d%H%M%S")
        notice["paid"] = {"SoBienLai": f"BL-{number.split('/')[0]}", "NgayNop": paid_at, "SoTien": notice["SoTien"]}

    async def receipt(self, body: ChungTuThueRequest) -> NativeResponse:
        notice = self.notices.get((body.MaSoThue, body.SoQuyetDinh))
        if notice is None:
            return json_reply({"MaLoi": "01", "MoTaLoi": "Không tìm thấy thông báo thuế"})
        paid = notice["paid"]
        return json_reply({"MaLoi": "00", "TrangThaiThanhToan": 1 if paid else 0, "BienLai": paid})
