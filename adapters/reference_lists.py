"""Shared reference lists (``dmdc``): GET with query parameters, JSON. Paths are illustrative."""

from __future__ import annotations

from adapters.base import Adapter, Operation
from adapters.json_rest import JsonRestAdapter
from schemas.reference_lists import NATIVE_PATHS, DanhMucDanTocQuery, DanhMucDonViHanhChinhQuery, DanhMucResponse

__all__ = ["ReferenceListsAdapter"]


class ReferenceListsAdapter(JsonRestAdapter):
    name = "reference_lists"
    success_flag = ("Status", 1)  # refusals: Status 0 with a Message
    native_paths = NATIVE_PATHS
    operations = Adapter.operations_dict(
        Operation(
            code="danhMucDonViHanhChinh",
            methods=frozenset({"GET"}),
            query_model=DanhMucDonViHanhChinhQuery,
            response_model=DanhMucResponse,
            summary="Administrative units, versioned / Danh mục đơn vị hành chính",
        ),
        Operation(
            code="danhMucDanToc",
            methods=frozenset({"GET"}),
            query_model=DanhMucDanTocQuery,
            response_model=DanhMucResponse,
            summary="Ethnic groups / Danh mục dân tộc",
        ),
    )
