"""Criminal-record certificates (lý lịch tư pháp): UPPERCASE JSON. Native paths are illustrative."""

from __future__ import annotations

from adapters.base import Adapter, Operation
from adapters.json_rest import JsonRestAdapter
from schemas.criminal_records import (
    NATIVE_PATHS,
    NhanHoSoDangKyRequest,
    NhanHoSoDangKyResponse,
    TraTrangThaiHsRequest,
    TraTrangThaiHsResponse,
)

__all__ = ["CriminalRecordsAdapter"]


class CriminalRecordsAdapter(JsonRestAdapter):
    name = "criminal_records"
    success_flag = ("STATUS", 1)  # refusals: STATUS 0 with a MESSAGE
    native_paths = NATIVE_PATHS
    operations = Adapter.operations_dict(
        Operation(
            code="nhanHoSoDangKy",
            methods=frozenset({"POST"}),
            request_model=NhanHoSoDangKyRequest,
            response_model=NhanHoSoDangKyResponse,
            summary="Apply for a criminal-record certificate / Nhận hồ sơ đăng ký cấp phiếu LLTP",
        ),
        Operation(
            code="traTrangThaiHs",
            methods=frozenset({"POST"}),
            request_model=TraTrangThaiHsRequest,
            response_model=TraTrangThaiHsResponse,
            summary="Status of a certificate application / Tra trạng thái hồ sơ LLTP",
        ),
    )
