"""National Public Service Portal: the ``mapi`` session envelope.

The hub's JSON form carries only a service's own fields. The adapter logs in with the credentials in
its options (``username``, ``password``), caches the session, wraps each call as
``{session, madonvi, service, ...}`` for ``mapi/g``, and logs in again once when the portal says the
session is no longer valid. ``madonvi`` defaults to the calling client's agency code.
"""

from __future__ import annotations

from typing import Any

import orjson

from adapters.base import (
    Adapter,
    Exchange,
    HubCall,
    HubReply,
    NativeFormatError,
    NativeRequest,
    NativeResponse,
    Operation,
    ProviderRefused,
)
from adapters.json_rest import decode_json
from schemas.dvcqg import (
    CALL_PATH,
    ERROR_OK,
    ERROR_SESSION_INVALID,
    LOGIN_PATH,
    CapNhatTienDoHoSoMCRequest,
    DongBoHoSoMCRequest,
    DvcqgReply,
    LayDanhSachTTHCRequest,
    LayDanhSachTTHCResponse,
    LayThuTucRequest,
    LayThuTucResponse,
    TraCuuHoSoRequest,
    TraCuuHoSoResponse,
)

__all__ = ["DvcqgAdapter"]

_JSON = {"Content-Type": "application/json"}


def _envelope(native: NativeResponse) -> dict[str, Any]:
    data = decode_json(native.body)
    if not isinstance(data, dict) or not isinstance(data.get("error_code"), int):
        raise NativeFormatError("a mapi reply must be a JSON object with an integer error_code")
    return data


class DvcqgAdapter(Adapter):
    name = "dvcqg"
    success_flag = ("error_code", 0)  # mapi refuses with a non-zero error_code in a 200
    operations = Adapter.operations_dict(
        Operation(
            code="DongBoHoSoMC",
            methods=frozenset({"POST"}),
            request_model=DongBoHoSoMCRequest,
            response_model=DvcqgReply,
            summary="Sync dossiers from a one-stop system / Đồng bộ hồ sơ một cửa",
        ),
        Operation(
            code="TraCuuHoSo",
            methods=frozenset({"POST"}),
            request_model=TraCuuHoSoRequest,
            response_model=TraCuuHoSoResponse,
            summary="Look up a dossier / Tra cứu hồ sơ",
        ),
        Operation(
            code="CapNhatTienDoHoSoMC",
            methods=frozenset({"POST"}),
            request_model=CapNhatTienDoHoSoMCRequest,
            response_model=DvcqgReply,
            summary="Report dossier progress from a one-stop system / Cập nhật tiến độ hồ sơ một cửa",
        ),
        Operation(
            code="LayDanhSachTTHC",
            methods=frozenset({"POST"}),
            request_model=LayDanhSachTTHCRequest,
            response_model=LayDanhSachTTHCResponse,
            summary="List administrative procedures / Lấy danh sách thủ tục hành chính",
        ),
        Operation(
            code="LayThuTuc",
            methods=frozenset({"POST"}),
            request_model=LayThuTucRequest,
            response_model=LayThuTucResponse,
            summary="One administrative procedure / Lấy thông tin thủ tục",
        ),
    )

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self._session: str | None = None

    def _login(self) -> Exchange:
        credentials = {
            "username": self.options.get("username", ""),
            "password": self.options.get("password", ""),
        }
        native = yield NativeRequest("POST", LOGIN_PATH, headers=_JSON, body=orjson.dumps(credentials), secret=True)
        reply = _envelope(native)
        session = reply.get("session")
        if reply["error_code"] != ERROR_OK or not isinstance(session, str) or not session:
            raise ProviderRefused(
                f"DVCQG refused the hub's login as {credentials['username']!r}: "
                f"error_code {reply['error_code']}, {reply.get('message', '')}"
            )
        return HubReply(native.status, session)

    def exchange(self, call: HubCall) -> Exchange:
        fields = call.payload.model_dump(mode="json", exclude_none=True, warnings=False) if call.payload else {}
        madonvi = fields.pop("madonvi", None) or call.client_member_code
        for attempt in (1, 2):
            if self._session is None:
                self._session = (yield from self._login()).data
            envelope = {"session": self._session, "madonvi": madonvi, "service": call.operation, **fields}
            native = yield NativeRequest("POST", CALL_PATH, headers=_JSON, body=orjson.dumps(envelope))
            reply = _envelope(native)
            if reply["error_code"] == ERROR_SESSION_INVALID and attempt == 1:
                self._session = None
                continue
            return HubReply(native.status, reply)
        raise ProviderRefused("DVCQG rejected a fresh session")  # pragma: no cover - loop always returns
