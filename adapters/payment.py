"""The DVCQG payment platform: JSON messages signed with ``MaXacThuc``. Paths are illustrative.

:func:`sign_init` computes ``MaXacThuc`` as :mod:`schemas.payment` describes it; integrators can use it
to check their own signing, and the simulated platform uses it to verify.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from adapters.base import Adapter, Operation
from adapters.json_rest import JsonRestAdapter
from schemas.payment import (
    INIT_SIGNED_FIELDS,
    KhoiTaoGiaoDichRequest,
    KhoiTaoGiaoDichResponse,
    TraCuuGiaoDichRequest,
    TraCuuGiaoDichResponse,
)

__all__ = ["PaymentAdapter", "sign_init"]


def sign_init(message: Mapping[str, Any], secret: str) -> str:
    joined = "|".join([*(str(message.get(name, "")) for name in INIT_SIGNED_FIELDS), secret])
    return hashlib.sha256(joined.encode()).hexdigest()


class PaymentAdapter(JsonRestAdapter):
    name = "payment"
    native_paths = MappingProxyType(
        {"KhoiTaoGiaoDich": "/thanhtoan/api/init", "TraCuuGiaoDich": "/thanhtoan/api/query"}
    )
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
