"""Simulated National Business Registration Database: UPPERCASE JSON at ``/apiCSDLDKDN/1.0``."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.base import NativeRequest, NativeResponse
from adapters.business import BusinessAdapter
from ngsp_sim.sim.base import Handler, SimulatedAgency, json_reply

__all__ = ["BusinessAgency"]


class BusinessAgency(SimulatedAgency):
    kind = "business"

    def routes(self) -> Mapping[tuple[str, str], Handler]:
        return {("GET", BusinessAdapter.native_paths["chiTietDoanhNghiep"]): self.details}

    async def details(self, request: NativeRequest) -> NativeResponse:
        msdn = dict(request.query).get("msdn", "")
        record = self.country.businesses.get(msdn)
        if record is None:
            return json_reply({"Status": 0, "Message": "Không tìm thấy doanh nghiệp", "MainInformation": None})
        return json_reply({"Status": 1, "Message": "Thành công", **record})
