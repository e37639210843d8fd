"""National Business Registration Database: UPPERCASE JSON at ``/apiCSDLDKDN/1.0/...``."""

from __future__ import annotations

from adapters.base import Adapter, Operation
from adapters.json_rest import JsonRestAdapter
from schemas.business import (
    NATIVE_PATHS,
    ChiTietDoanhNghiepQuery,
    ChiTietDoanhNghiepResponse,
    TinhTrangHoSoQuery,
    TinhTrangHoSoResponse,
)

__all__ = ["BusinessAdapter"]


class BusinessAdapter(JsonRestAdapter):
    name = "business"
    success_flag = ("Status", 1)  # refusals: Status 0 with a Message
    native_paths = NATIVE_PATHS
    operations = Adapter.operations_dict(
        Operation(
            code="chiTietDoanhNghiep",
            methods=frozenset({"GET"}),
            query_model=ChiTietDoanhNghiepQuery,
            response_model=ChiTietDoanhNghiepResponse,
            summary="Business details by business code / Chi tiết doanh nghiệp",
        ),
        Operation(
            code="tinhTrangHoSo",
            methods=frozenset({"GET"}),
            query_model=TinhTrangHoSoQuery,
            response_model=TinhTrangHoSoResponse,
            summary="Business-registration dossier status / Tình trạng hồ sơ đăng ký doanh nghiệp",
        ),
    )
