"""What happened in a step, in a sentence a room understands, Vietnamese and English (the step's
``explanation``), while its ``detail`` stays the developer's raw text. Codes are explained with the
glossary (:mod:`ngsp_sim.scenarios.glossary`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from ngsp_sim.monitoring.outcome import native_refusal
from ngsp_sim.scenarios.glossary import GLOSSARY, lookup
from schemas.scenarios import Text

__all__ = ["Names", "call", "cleared", "closed", "event", "failed", "injected", "waited"]

Names = Callable[[str], Text | None]
"""A subsystem's display name (VN/GOV/MEMBER/SUBSYSTEM -> vi/en), None when it has none."""

FAULT_KINDS: Mapping[str, tuple[str, str]] = {
    "latency": ("trả lời chậm", "answers slowly"),
    "error": ("trả lỗi theo giao thức của mình", "answers with an error in its own protocol"),
    "timeout": ("không trả lời kịp thời hạn", "does not answer in time"),
    "reset": ("ngắt kết nối giữa chừng", "drops the connection"),
    "malformed": ("trả lời sai giao thức", "answers in a broken format"),
    "schema_violation": ("trả lời dữ liệu sai khuôn dạng", "answers with data that breaks the schema"),
    "outage": ("ngừng hoạt động", "goes down"),
    "globalconf": ("có cấu hình toàn cục hết hạn", "has an expired global configuration"),
    "ocsp": ("không có phản hồi OCSP mới cho chứng thư số", "has no fresh OCSP response for its certificate"),
    "timestamping": (
        "không đóng được dấu thời gian (dịch vụ cấp dấu thời gian ngừng)",
        "cannot time-stamp (the time-stamping service is down)",
    ),
    "certificate": ("có chứng thư số hết hạn hoặc bị thu hồi", "has an expired or revoked certificate"),
}


def _name(names: Names, subsystem: str) -> Text:
    found = names(subsystem)
    code = subsystem.rsplit("/", 1)[-1]
    return found if found is not None else Text(vi=code, en=code)


def call(
    client: Text, service: str, status: int, error: str | None, data: Any, names: Names, style: str = "xroad"
) -> Text:
    told = _told(client, service, status, error, data, names)
    if style != "gateway":
        return told
    return Text(
        vi=told.vi + " Lời gọi theo kiểu cổng API của NGSP: địa chỉ /{context}/{version}/..., bên gọi được nhận "
        "diện qua mã truy cập (token), lỗi trả về dạng fault.",
        en=told.en + " The call used NGSP's gateway style: a /{context}/{version}/... address, the caller identified "
        "by its access token, errors as fault objects.",
    )


def _told(client: Text, service: str, status: int, error: str | None, data: Any, names: Names) -> Text:
    provider_id, code = service.rsplit("/", 1)
    provider = _name(names, provider_id)
    if error is not None:
        term = lookup(error)
        vi = f"{client.vi} gọi {code} của {provider.vi}; NGSP trả lỗi {error}"
        en = f"{client.en} called {code} on {provider.en}; NGSP answered {error}"
        if term is not None:
            return Text(vi=f"{vi}: {term.vi[1]}", en=f"{en}: {term.en[1]}")
        return Text(vi=vi + ".", en=en + ".")
    if status >= 400:
        return Text(
            vi=f"{provider.vi} trả lỗi HTTP {status} theo giao thức của mình; "
            f"NGSP chuyển nguyên câu trả lời cho {client.vi}.",
            en=f"{provider.en} answered HTTP {status} in its own protocol; NGSP passed it on to {client.en} as it was.",
        )
    refusal = native_refusal(data)
    if refusal is not None:
        field, value = refusal
        terms = [t for t in GLOSSARY if t.field == field and t.code == value]
        vi_why = f" ({terms[0].vi[1].rstrip('.')})" if len(terms) == 1 else ""
        en_why = f" ({terms[0].en[1].rstrip('.')})" if len(terms) == 1 else ""
        return Text(
            vi=f"{provider.vi} nhận yêu cầu {code} nhưng từ chối theo nghiệp vụ: {field} = {value}{vi_why}. "
            "HTTP vẫn là 200, nên phần mềm gọi phải đọc mã này.",
            en=f"{provider.en} received the {code} request but refused it: {field} = {value}{en_why}. "
            "HTTP still says 200, so the calling software must read this code.",
        )
    return Text(
        vi=f"{client.vi} gọi dịch vụ {code} của {provider.vi} qua NGSP; "
        f"yêu cầu hợp lệ và được trả lời (HTTP {status}).",
        en=f"{client.en} called {code} on {provider.en} through NGSP; "
        f"the request was valid and answered (HTTP {status}).",
    )


def waited(seconds: float) -> Text:
    return Text(
        vi=f"{seconds:g} giây trôi qua trên đồng hồ của nền tảng.", en=f"{seconds:g} s passed on the platform's clock."
    )


def advanced(seconds: float, now: float) -> Text:
    when = datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%d %H:%M")
    days = f"{seconds / 86400:g} ngày" if seconds >= 86400 else f"{seconds:g} giây"
    days_en = f"{seconds / 86400:g} day(s)" if seconds >= 86400 else f"{seconds:g} s"
    return Text(
        vi=f"Đồng hồ của nền tảng được tua thêm {days}, nay là {when} UTC: hồ sơ chuyển bước, token hết hạn theo "
        "thời gian mới.",
        en=f"The platform's clock moved on {days_en}, to {when} UTC: dossiers move on and tokens expire by the new "
        "time.",
    )


def event(kind: str, found: bool) -> Text:
    what = {"message": ("giao dịch", "exchange"), "event": ("sự kiện", "event"), "edoc": ("văn bản", "document")}
    vi, en = what.get(kind, ("thông báo chuyển phát", "delivery"))
    if found:
        return Text(
            vi=f"Đã thấy {vi} được chờ trên luồng theo dõi trực tiếp.",
            en=f"The awaited {en} appeared on the live feed.",
        )
    return Text(vi=f"Không thấy {vi} được chờ trong thời gian cho phép.", en=f"The awaited {en} did not come in time.")


def injected(target: str, kind: str, names: Names) -> Text:
    who = _name(names, "/".join(target.split("/")[:4]))
    vi, en = FAULT_KINDS.get(kind, (kind, kind))
    return Text(vi=f"Giả lập sự cố: {who.vi} {vi}.", en=f"A simulated incident: {who.en} {en}.")


def cleared(fault_id: str) -> Text:
    return Text(vi=f"Sự cố giả lập {fault_id} được gỡ bỏ.", en=f"The simulated incident {fault_id} is over.")


def closed(provider: str, names: Names) -> Text:
    who = _name(names, provider)
    return Text(
        vi=f"Người vận hành đóng lại mạch đến {who.vi}: NGSP gọi lại nhà cung cấp này như bình thường.",
        en=f"The operator closes the circuit to {who.en}: NGSP calls this provider again as usual.",
    )


def throttled(service: str, tier: str, names: Names) -> Text:
    provider, _, code = service.rpartition("/")
    who = _name(names, provider)
    return Text(
        vi=f"{who.vi} khai báo mức tải chịu được cho dịch vụ {code} (mức '{tier}'): từ giờ NGSP từ chối các lời "
        "gọi vượt mức, cho đến khi kịch bản kết thúc.",
        en=f"{who.en} declares the load its service {code} can take (tier '{tier}'): from now on NGSP refuses "
        "calls over it, until the story ends.",
    )


def failed(reason: str) -> Text:
    return Text(
        vi=f"Bước này không diễn ra như kịch bản dự kiến (chi tiết kỹ thuật: {reason}).",
        en=f"This step did not go as the story expected (technical detail: {reason}).",
    )
