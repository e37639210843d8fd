"""National Population Database: hub JSON <-> SOAP/XML in namespace ``http://dancuquocgia.bca``."""

from __future__ import annotations

from adapters.base import Adapter, Operation
from adapters.soap import SoapAdapter
from schemas.population import (
    NAMESPACE,
    NATIVE_PATH,
    TraCuuThongTinCongDanRequest,
    TraCuuThongTinCongDanResponse,
    XacThucThongTinCongDanRequest,
    XacThucThongTinCongDanResponse,
)

__all__ = ["PopulationAdapter"]


class PopulationAdapter(SoapAdapter):
    name = "population"
    namespace = NAMESPACE
    path = NATIVE_PATH
    operations = Adapter.operations_dict(
        Operation(
            code="TraCuuThongTinCongDan",
            methods=frozenset({"POST"}),
            request_model=TraCuuThongTinCongDanRequest,
            response_model=TraCuuThongTinCongDanResponse,
            summary="Citizen lookup (integration code 037) / Tra cứu thông tin công dân",
        ),
        Operation(
            code="XacThucThongTinCongDan",
            methods=frozenset({"POST"}),
            request_model=XacThucThongTinCongDanRequest,
            response_model=XacThucThongTinCongDanResponse,
            summary="Citizen verification, yes/no (integration code 033) / Xác thực thông tin công dân",
        ),
    )
