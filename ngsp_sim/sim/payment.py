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
from typing import Any

import orjson

from adapters.base import NativeRequest, NativeResponse
from adapters.payment import PaymentAdapter, sign_init
from ngsp_sim.sim.base import Handler, SimulatedAgency, json_reply

__all__ = ["DEMO_PARTNERS", "PaymentAgency"]

DEMO_PARTNERS = {"MOTCUA-HCM": "demo-payment-secret"}


def _refuse(code: str, text: str) -> NativeResponse:
    return json_reply({"error_code": code, "message": {"UrlThanhToan": None, "MaLoi": code, "MoTaLoi": text}})


class PaymentAgency(SimulatedAgency):
    kind = "payment"

    def routes(self) -> Mapping[tuple[str, str], Handler]:
        self.partners: dict[str, str] = dict(self.options.get("partners", DEMO_PARTNERS))
        self.pay_after = float(self.options.get("pay_after", 60))
        self.payments: dict[tuple[str, str], dict[str, Any]] = {}
        paths = PaymentAdapter.native_paths
        return {("POST", paths["KhoiTaoGiaoDich"]): self.init, ("POST", paths["TraCuuGiaoDich"]): self.query}

    async def init(self, request: NativeRequest) -> NativeResponse:
        try:
            message = orjson.loads(request.body)
            partner, reference = str(message["MaDoiTac"]), str(message["MaThamChieu"])
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return _refuse("99", "Bản tin không hợp lệ")
        secret = self.partners.get(partner)
        if secret is None:
            return _refuse("01", f"Đối tác {partner} chưa được đăng ký")
        if not hmac.compare_digest(sign_init(message, secret), str(message.get("MaXacThuc", ""))):
            return _refuse("02", "Sai mã xác thực (MaXacThuc)")
        if (partner, reference) in self.payments:
            return _refuse("03", f"Mã tham chiếu {reference} đã được sử dụng")
        self.payments[(partner, reference)] = {
            "at": self.clock.now(),
            "SoTien": message.get("SoTien"),
            "receipt": message.get("ThongTinBienLai") or {},
            "paid": False,
        }
        url = f"https://thanhtoan.dichvucong.invalid/pay/{partner}/{reference}"
        return json_reply(
            {"error_code": "00", "message": {"UrlThanhToan": url, "MaLoi": "00", "MoTaLoi": "Thành công"}}
        )

    async def query(self, request: NativeRequest) -> NativeResponse:
        try:
            body = orjson.loads(request.body)
            payment = self.payments.get((str(body["MaDoiTac"]), str(body["MaThamChieu"])))
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return json_reply({"error_code": "99"})
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
        dossier = self.country.dossiers.get(payment["receipt"].get("MaHoSo", ""))
        if dossier is not None:
            fee = {"TenPhiLePhi": "Lệ phí (thanh toán trực tuyến)", "Gia": payment["SoTien"], "LoaiPhiLePhi": 2}
            dossier.setdefault("DanhSachLePhi", []).append(fee)
