"""Tax (land financial obligations): JSON with PascalCase wire names. Native paths are illustrative."""

from __future__ import annotations

from adapters.base import Adapter, Operation
from adapters.json_rest import JsonRestAdapter
from schemas.tax import NATIVE_PATHS, ChungTuThueRequest, ChungTuThueResponse, ThongBaoThueRequest, ThongBaoThueResponse

__all__ = ["TaxAdapter"]


class TaxAdapter(JsonRestAdapter):
    name = "tax"
    success_flag = ("MaLoi", "00")  # the tax authority refuses with a MaLoi other than 00
    native_paths = NATIVE_PATHS
    operations = Adapter.operations_dict(
        Operation(
            code="ThongBaoThue",
            methods=frozenset({"POST"}),
            request_model=ThongBaoThueRequest,
            response_model=ThongBaoThueResponse,
            summary="Tax notice for a land dossier / Thông báo nghĩa vụ tài chính",
        ),
        Operation(
            code="ChungTuThue",
            methods=frozenset({"POST"}),
            request_model=ChungTuThueRequest,
            response_model=ChungTuThueResponse,
            summary="Payment status and receipt of a tax notice / Chứng từ nộp thuế",
        ),
    )
