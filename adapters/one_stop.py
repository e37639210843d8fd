"""Provincial one-stop systems: JSON. Native paths are illustrative."""

from __future__ import annotations

from adapters.base import Adapter, Operation
from adapters.json_rest import JsonRestAdapter
from schemas.one_stop import NATIVE_PATHS, OneStopReply, TiepNhanHoSoRequest, TraCuuTrangThaiHoSoRequest

__all__ = ["OneStopAdapter"]


class OneStopAdapter(JsonRestAdapter):
    name = "one_stop"
    success_flag = ("KetQua", 1)  # one-stop systems refuse with KetQua 0 in a 200
    native_paths = NATIVE_PATHS
    operations = Adapter.operations_dict(
        Operation(
            code="TiepNhanHoSo",
            methods=frozenset({"POST"}),
            request_model=TiepNhanHoSoRequest,
            response_model=OneStopReply,
            summary="Receive a dossier (checks the applicant, syncs DVCQG) / Tiếp nhận hồ sơ",
        ),
        Operation(
            code="TraCuuTrangThaiHoSo",
            methods=frozenset({"POST"}),
            request_model=TraCuuTrangThaiHoSoRequest,
            response_model=OneStopReply,
            summary="A dossier's state / Tra cứu trạng thái hồ sơ",
        ),
        Operation(
            code="ChuyenBuocHoSo",
            methods=frozenset({"POST"}),
            request_model=TraCuuTrangThaiHoSoRequest,
            response_model=OneStopReply,
            summary="Move a dossier one step on, as a trainer does / Chuyển bước xử lý hồ sơ",
        ),
    )
