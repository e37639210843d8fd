"""The DVCQG payment platform: JSON messages signed with ``MaXacThuc``. Paths are illustrative.

:func:`sign_init` (from :mod:`schemas.payment`, part of the wire contract) computes ``MaXacThuc``;
integrators can use it to check their own signing, and the simulated platform uses it to verify.
"""

from __future__ import annotations

from adapters.base import Adapter, Operation
from adapters.json_rest import JsonRestAdapter
from schemas.payment import (
    NATIVE_PATHS,
    KhoiTaoGiaoDichRequest,
    KhoiTaoGiaoDichResponse,
    TraCuuGiaoDichRequest,
    TraCuuGiaoDichResponse,
    sign_init,
)

__all__ = ["PaymentAdapter", "sign_init"]


class PaymentAdapter(JsonRestAdapter):
    name = "payment"
    success_flag = ("error_code", "00")  # refusals: another error_code, in a 200
    native_paths = NATIVE_PATHS
    operations = Adapter.operations_dict(
        Operation(
            code="KhoiTaoGiaoDich",
            methods=frozenset({"POST"}),
            request_model=KhoiTaoGiaoDichRequest,
            response_model=KhoiTaoGiaoDichResponse,
            summary="Start an online payment (INIT) / Khởi tạo giao dịch thanh toán",
        ),
        Operation(
            code="TraCuuGiaoDich",
            methods=frozenset({"POST"}),
            request_model=TraCuuGiaoDichRequest,
            response_model=TraCuuGiaoDichResponse,
            summary="Payment state / Tra cứu giao dịch",
        ),
    )
