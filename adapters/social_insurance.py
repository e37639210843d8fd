"""Social insurance (BHXH): JSON with camelCase wire names. The native path is illustrative."""

from __future__ import annotations

from adapters.base import Adapter, Operation
from adapters.json_rest import JsonRestAdapter
from schemas.social_insurance import NATIVE_PATHS, GetMaSoBhxhRequest, GetMaSoBhxhResponse

__all__ = ["SocialInsuranceAdapter"]


class SocialInsuranceAdapter(JsonRestAdapter):
    name = "social_insurance"
    success_flag = ("status", 1)  # refusals: status 0 with a message
    native_paths = NATIVE_PATHS
    operations = Adapter.operations_dict(
        Operation(
            code="getMaSoBhxhTheoTieuChi",
            methods=frozenset({"POST"}),
            request_model=GetMaSoBhxhRequest,
            response_model=GetMaSoBhxhResponse,
            summary="Social-insurance number by personal details / Tra cứu mã số BHXH theo tiêu chí",
        ),
    )
