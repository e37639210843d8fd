"""Simulated National Public Service Portal: the ``mapi`` login/session API.

Each service's fields (the envelope without ``session`` and ``service``) are checked with the model
the hub checks; what breaks it gets ``error_code`` 4 (bad request) with a message. Sessions last
``session_ttl`` seconds (default 1800) on the agency's clock, so a test can expire one by advancing a
:class:`~ngsp_sim.clock.ManualClock`. Accounts come from ``options["accounts"]`` (username ->
password); the default is the demo topology's DEMO-ONLY account.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError

from adapters.base import NativeRequest, NativeResponse
from ngsp_sim.sim.base import Handler, SimulatedAgency, describe, json_reply
from ngsp_sim.sim.context import AgencyContext
from ngsp_sim.sim.country import PROCEDURES
from ngsp_sim.sim.json_agency import read_object
from schemas.dvcqg import (
    CALL_PATH,
    ERROR_BAD_REQUEST,
    ERROR_LOGIN_FAILED,
    ERROR_NOT_FOUND,
    ERROR_OK,
    ERROR_SESSION_INVALID,
    LOGIN_PATH,
    CapNhatTienDoHoSoMCRequest,
    DongBoHoSoMCRequest,
    LayDanhSachTTHCRequest,
    LayThuTucRequest,
    TraCuuHoSoRequest,
)

__all__ = ["DvcqgAgency"]

DEMO_ACCOUNTS = {"ngsp-hub": "demo-dvcqg-password"}
_SERVICES: dict[str, type[BaseModel]] = {
    "DongBoHoSoMC": DongBoHoSoMCRequest,
    "CapNhatTienDoHoSoMC": CapNhatTienDoHoSoMCRequest,
    "LayDanhSachTTHC": LayDanhSachTTHCRequest,
    "LayThuTuc": LayThuTucRequest,
    "TraCuuHoSo": TraCuuHoSoRequest,
}


def _error(code: int, message: str) -> NativeResponse:
    return json_reply({"error_code": code, "message": message})


class DvcqgAgency(SimulatedAgency):
    kind = "dvcqg"

    def __init__(self, context: AgencyContext) -> None:
        super().__init__(context)
        self.accounts: dict[str, str] = dict(self.options.get("accounts", DEMO_ACCOUNTS))
        self.session_ttl = float(self.options.get("session_ttl", 1800))
        self.sessions: dict[str, float] = {}
        self.logins = 0
        self.progress: dict[str, list[dict[str, Any]]] = {}

    def routes(self) -> Mapping[tuple[str, str], Handler]:
        return {("POST", LOGIN_PATH): self.login, ("POST", CALL_PATH): self.call}

    async def login(self, request: NativeRequest) -> NativeResponse:
        body = read_object(request.body) or {}
        username, password = str(body.get("username", "")), str(body.get("password", ""))
        expected = self.accounts.get(username, "")
        if not (hmac.compare_digest(password.encode(), expected.encode()) and expected):
            return _error(ERROR_LOGIN_FAILED, "Sai tên đăng nhập hoặc mật khẩu")
        self.logins += 1
        session = secrets.token_hex(16)
        self.sessions[session] = self.clock.monotonic() + self.session_ttl
        return json_reply({"error_code": ERROR_OK, "message": "Đăng nhập thành công", "session": session})

    async def call(self, request: NativeRequest) -> NativeResponse:
        body = read_object(request.body) or {}  # no session in it: the portal's own refusal
        expires = self.sessions.get(str(body.get("session", "")))
        if expires is None or expires <= self.clock.monotonic():
            return _error(ERROR_SESSION_INVALID, "Phiên làm việc không hợp lệ hoặc đã hết hạn")
        service = body.get("service")
        model = _SERVICES.get(str(service))
        if model is None:
            return _error(ERROR_BAD_REQUEST, f"Dịch vụ không được hỗ trợ: {service}")
        fields = {k: v for k, v in body.items() if k not in ("session", "service")}
        try:  # the service's own fields, checked with the model the hub checks
            body = model.model_validate_json(orjson.dumps(fields)).model_dump(mode="json", exclude_unset=True)
        except ValidationError as exc:
            return _error(ERROR_BAD_REQUEST, f"Dữ liệu không hợp lệ: {describe(exc)}")
        if service == "DongBoHoSoMC":
            return self._sync(body)
        if service == "CapNhatTienDoHoSoMC":
            return self._progress(body)
        if service == "LayDanhSachTTHC":
            field_code = body.get("MaLinhVuc")
            summaries = [
                {k: p[k] for k in ("MaTTHC", "TenTTHC", "MaLinhVuc", "TenLinhVuc")}
                for p in PROCEDURES
                if field_code in (None, p["MaLinhVuc"])
            ]
            return json_reply({"error_code": ERROR_OK, "message": "Thành công", "result": summaries})
        if service == "LayThuTuc":
            procedure = next((p for p in PROCEDURES if p["MaTTHC"] == body.get("MaTTHC")), None)
            if procedure is None:
                return _error(ERROR_NOT_FOUND, "Không tìm thấy thủ tục")
            return json_reply({"error_code": ERROR_OK, "message": "Thành công", "result": procedure})
        if service == "TraCuuHoSo":
            dossier = self.country.dossiers.get(str(body.get("MaHoSo", "")))
            if dossier is None:
                return _error(ERROR_NOT_FOUND, "Không tìm thấy hồ sơ")
            return json_reply({"error_code": ERROR_OK, "message": "Thành công", "result": dossier})
        return _error(ERROR_BAD_REQUEST, f"Dịch vụ không được hỗ trợ: {service}")

    def _progress(self, body: Mapping[str, Any]) -> NativeResponse:
        """Each step moves its dossier to ``TrangThai``; an unknown dossier refuses the whole batch."""
        steps = body["data"]  # checked by CapNhatTienDoHoSoMCRequest
        unknown = [s.get("MaHoSo") for s in steps if s.get("MaHoSo") not in self.country.dossiers]
        if unknown:
            return _error(ERROR_NOT_FOUND, f"Không tìm thấy hồ sơ: {', '.join(map(str, unknown))}")
        for step in steps:
            dossier = self.country.dossiers[step["MaHoSo"]]
            dossier["TrangThaiHoSo"] = step["TrangThai"]
            self.progress.setdefault(step["MaHoSo"], []).append(dict(step))
        return json_reply({"error_code": ERROR_OK, "message": f"Cập nhật thành công {len(steps)} tiến độ"})

    def _sync(self, body: Mapping[str, Any]) -> NativeResponse:
        items = body["data"]  # checked by DongBoHoSoMCRequest
        for item in items:
            self.country.dossiers[item["MaHoSo"]] = dict(item)
        return json_reply({"error_code": ERROR_OK, "message": f"Đồng bộ thành công {len(items)} hồ sơ"})
