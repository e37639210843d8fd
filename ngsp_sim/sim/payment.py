"""Simulated DVCQG payment platform.

``INIT`` is verified (partner known, ``MaXacThuc`` right, reference new) and answered with a payment
URL (under the reserved ``.invalid`` domain: nothing real is ever called). The simulated citizen pays
``pay_after`` seconds later on the agency's clock (default 60); from then on ``TraCuuGiaoDich`` reports
the payment, and the fee shows in the dossier's ``DanhSachLePhi`` at DVCQG. Partner secrets come from
``options["partners"]``; the default is the DEMO-ONLY partner ``MOTCUA-HCM`` / ``demo-payment-secret``.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from adapters.base import NativeResponse
from ngsp_sim.sim.base import Handler, json_reply
from ngsp_sim.sim.context import AgencyContext
from ngsp_sim.sim.json_agency import JsonAgency
from schemas.payment import NATIVE_PATHS, KhoiTaoGiaoDichRequest, TraCuuGiaoDichRequest, sign_init

__all__ = ["DEMO_PARTNERS", "PaymentAgency"]

DEMO_PARTNERS = {"MOTCUA-HCM": "demo-payment-secret"}


def _refusal(code: str, text: str) -> dict[str, Any]:
    return {"error_code": code, "message": {"UrlThanhToan": None, "MaLoi": code, "MoTaLoi": text}}


def _refuse(code: str, text: str) -> NativeResponse:
    return json_reply(_refusal(code, text))


class PaymentAgency(JsonAgency):
    kind = "payment"
    invalid = MappingProxyType({"error_code": "99"})
    """What ``TraCuuGiaoDich`` answers a query it cannot read; ``INIT`` answers with its message too."""

    def __init__(self, context: AgencyContext) -> None:
        super().__init__(context)
        self.partners: dict[str, str] = dict(self.options.get("partners", DEMO_PARTNERS))
        self.pay_after = float(self.options.get("pay_after", 60))
        self.payments: dict[tuple[str, str], dict[str, Any]] = {}

    def routes(self) -> Mapping[tuple[str, str], Handler]:
        init_invalid = _refusal("99", "Bản tin không hợp lệ")
        return {
            ("POST", NATIVE_PATHS["KhoiTaoGiaoDich"]): self.taking(KhoiTaoGiaoDichRequest, self.init, init_invalid),
            ("POST", NATIVE_PATHS["TraCuuGiaoDich"]): self.taking(TraCuuGiaoDichRequest, self.query),
        }

    async def init(self, message: KhoiTaoGiaoDichRequest) -> NativeResponse:
        partner, reference = message.MaDoiTac, message.MaThamChieu
        secret = self.partners.get(partner)
        if secret is None:
            return _refuse("01", f"Đối tác {partner} chưa được đăng ký")
        signed = message.model_dump(mode="json", exclude_unset=True)
        if not hmac.compare_digest(sign_init(signed, secret), message.MaXacThuc):
            return _refuse("02", "Sai mã xác thực (MaXacThuc)")
        if (partner, reference) in self.payments:
            return _refuse("03", f"Mã tham chiếu {reference} đã được sử dụng")
        self.payments[(partner, reference)] = {
            "at": self.clock.now(),
            "SoTien": message.SoTien,
            "MaHoSo": message.ThongTinBienLai.MaHoSo,
            "paid": False,
        }
        url = f"https://thanhtoan.dichvucong.invalid/pay/{partner}/{reference}"
        return json_reply(
            {"error_code": "00", "message": {"UrlThanhToan": url, "MaLoi": "00", "MoTaLoi": "Thành công"}}
        )

    async def query(self, body: TraCuuGiaoDichRequest) -> NativeResponse:
        payment = self.payments.get((body.MaDoiTac, body.MaThamChieu))
        if payment is None:
            return json_reply({"error_code": "04"})
        if not payment["paid"] and self.clock.now() >= payment["at"] + self.pay_after:
            self._settle(payment)
        reply = {"error_code": "00", "TrangThai": 1 if payment["paid"] else 0, "SoTien": payment["SoTien"]}
        if payment["paid"]:
            reply |= {"MaGiaoDich": payment["MaGiaoDich"], "ThoiGianThanhToan": payment["ThoiGianThanhToan"]}
        return json_reply(reply)

    def _settle(self, payment: dict[str, Any]) -> None:
        paid_at = payment["at"] + self.pay_after
        payment |= {
            "paid": True,
            "MaGiaoDich": f"GD{int(paid_at)}",
            "ThoiGianThanhToan": datetime.fromtimestamp(paid_at, UTC).strftime("%Y%m%d%H%M%S"),
        }
        dossier = self.country.dossiers.get(payment["MaHoSo"])
        if dossier is not None:
            fee = {"TenPhiLePhi": "Lệ phí (thanh toán trực tuyến)", "Gia": payment["SoTien"], "LoaiPhiLePhi": 2}
            dossier.setdefault("DanhSachLePhi", []).append(fee)
