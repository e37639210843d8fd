"""Civil status (hộ tịch): JSON with camelCase wire names. Native paths are illustrative."""

from __future__ import annotations

from adapters.base import Adapter, Operation
from adapters.json_rest import JsonRestAdapter
from schemas.civil_status import (
    NATIVE_PATHS,
    CivilStatusReply,
    DangKyHoTichRequest,
    TraTrangThaiHoSoRequest,
    TraTrangThaiHoSoResponse,
)

__all__ = ["CivilStatusAdapter"]


class CivilStatusAdapter(JsonRestAdapter):
    name = "civil_status"
    success_flag = ("status", 1)  # refusals: status 0 with an errorCode
    native_paths = NATIVE_PATHS
    operations = Adapter.operations_dict(
        Operation(
            code="dangKyHoTich",
            methods=frozenset({"POST"}),
            request_model=DangKyHoTichRequest,
            response_model=CivilStatusReply,
            summary="Interlinked birth (LTKS) or death (LTKT) registration / Đăng ký hộ tịch liên thông",
        ),
        Operation(
            code="traTrangThaiHoSo",
            methods=frozenset({"POST"}),
            request_model=TraTrangThaiHoSoRequest,
            response_model=TraTrangThaiHoSoResponse,
            summary="Civil-status dossier status / Tra trạng thái hồ sơ hộ tịch",
        ),
    )
