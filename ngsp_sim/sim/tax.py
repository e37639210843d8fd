"""Simulated tax authority: financial-obligation notices for land dossiers, and their payment status.

A notice gets a decision number (``SoQuyetDinh``) counted per tax authority; it stays unpaid
(``TrangThaiThanhToan`` 0) until :meth:`TaxAgency.pay` records a payment (the payment platform's
confirmation, in a later milestone).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson

from adapters.base import NativeRequest, NativeResponse
from adapters.tax import TaxAdapter
from ngsp_sim.sim.base import Handler, SimulatedAgency, json_reply

__all__ = ["TaxAgency"]


class TaxAgency(SimulatedAgency):
    kind = "tax"

    def routes(self) -> Mapping[tuple[str, str], Handler]:
        self.notices: dict[tuple[str, str], dict[str, Any]] = {}
        paths = TaxAdapter.native_paths
        return {("POST", paths["ThongBaoThue"]): self.notice, ("POST", paths["ChungTuThue"]): self.receipt}

    async def notice(self, request: NativeRequest) -> NativeResponse:
        try:
            body = orjson.loads(request.body)
            tax_code, amount = str(body["MaSoThue"]), int(body["SoTien"])
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return json_reply({"MaLoi": "02", "MoTaLoi": "Dữ liệu không hợp lệ"})
        number = f"{len(self.notices) + 1:06d}/TB-CT"
        self.notices[(tax_code, number)] = {"SoTien": amount, "paid": None, "MaHoSo": body.get("MaHoSo")}
        return json_reply(
            {"MaLoi": "00", "MoTaLoi": "Thành công", "SoQuyetDinh": number, "SoTien": amount, "TrangThaiThanhToan": 0}
        )

    def pay(self, tax_code: str, number: str) -> None:
        notice = self.notices[(tax_code, number)]
        paid_at = datetime.fromtimestamp(self.clock.now(), UTC).strftime("%Y%m%d%H%M%S")
        notice["paid"] = {"SoBienLai": f"BL-{number.split('/')[0]}", "NgayNop": paid_at, "SoTien": notice["SoTien"]}

    async def receipt(self, request: NativeRequest) -> NativeResponse:
        try:
            body = orjson.loads(request.body)
            notice = self.notices.get((str(body["MaSoThue"]), str(body["SoQuyetDinh"])))
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return json_reply({"MaLoi": "02", "MoTaLoi": "Dữ liệu không hợp lệ"})
        if notice is None:
            return json_reply({"MaLoi": "01", "MoTaLoi": "Không tìm thấy thông báo thuế"})
        paid = notice["paid"]
        return json_reply({"MaLoi": "00", "TrangThaiThanhToan": 1 if paid else 0, "BienLai": paid})
