"""National Business Registration Database: UPPERCASE JSON at ``/apiCSDLDKDN/1.0/...``."""

from __future__ import annotations

from types import MappingProxyType

from adapters.base import Adapter, Operation
from adapters.json_rest import JsonRestAdapter
from schemas.business import ChiTietDoanhNghiepQuery, ChiTietDoanhNghiepResponse

__all__ = ["BusinessAdapter"]


class BusinessAdapter(JsonRestAdapter):
    name = "business"
    native_paths = MappingProxyType({"chiTietDoanhNghiep": "/apiCSDLDKDN/1.0/chiTietDoanhNghiep"})
    operations = Adapter.operations_dict(
        Operation(
            code="chiTietDoanhNghiep",
            methods=frozenset({"GET"}),
            query_model=ChiTietDoanhNghiepQuery,
            response_model=ChiTietDoanhNghiepResponse,
            summary="Business details by business code / Chi tiết doanh nghiệp",
        ),
    )
