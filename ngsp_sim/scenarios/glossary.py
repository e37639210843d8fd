"""Plain words for every code a trainee meets: each platform error type the hub answers
(:mod:`ngsp_sim.errors`) and each native code the simulated agencies return, with a Vietnamese and an
English name and a one-sentence meaning. Served as ``GET /api/v1/glossary``; scenario steps explain
their outcome with it.

A test checks that every :class:`~ngsp_sim.errors.HubError` type is here, so a new error cannot ship
unexplained.
"""

from __future__ import annotations

from ngsp_sim.errors import all_hub_errors
from ngsp_sim.scenarios.native_codes import NATIVE
from ngsp_sim.scenarios.terms import Term
from ngsp_sim.scenarios.trust_terms import TRUST_TERMS

__all__ = ["GLOSSARY", "Term", "lookup"]


_PLATFORM = (
    Term(
        "Client.InternalError",
        ("Yêu cầu không hợp lệ", "Phần mềm gọi gửi một yêu cầu mà nền tảng không xử lý được."),
        ("Invalid request", "The calling software sent a request the platform cannot handle."),
    ),
    Term(
        "Client.MissingCredentials",
        ("Thiếu thông tin xác thực", "Yêu cầu không kèm mã truy cập (token) hay định danh hệ thống gọi."),
        ("Missing credentials", "The request carries no access token or caller identity."),
    ),
    Term(
        "Client.InvalidCredentials",
        ("Thông tin xác thực sai", "Mã truy cập hoặc khóa của hệ thống gọi sai hoặc đã hết hạn."),
        ("Invalid credentials", "The caller's token or key is wrong or has expired."),
    ),
    Term(
        "Client.Throttled",
        (
            "Vượt giới hạn tần suất",
            "Quá nhiều yêu cầu trong thời gian ngắn, từ hệ thống gọi này hoặc tới dịch vụ này; nền tảng tạm từ chối, "
            "Retry-After cho biết khi nào thử lại.",
        ),
        (
            "Throttled",
            "Too many requests in a short time, from this caller or to this service; the platform refuses for a "
            "while, and Retry-After says when to try again.",
        ),
    ),
    Term(
        "Client.UriTooLong",
        ("Địa chỉ quá dài", "Đường dẫn của yêu cầu dài hơn mức nền tảng chấp nhận."),
        ("URI too long", "The request's path is longer than the platform accepts."),
    ),
    Term(
        "Client.HeadersTooLarge",
        ("Phần đầu quá lớn", "Các trường đầu (header) của yêu cầu vượt kích thước cho phép."),
        ("Headers too large", "The request's headers exceed the allowed size."),
    ),
    Term(
        "Client.InvalidClientIdentifier",
        ("Định danh hệ thống gọi sai", "Trường X-Road-Client không đúng dạng VN/GOV/MÃ-CƠ-QUAN/HỆ-THỐNG."),
        ("Invalid client identifier", "X-Road-Client is not of the form VN/GOV/MEMBER/SUBSYSTEM."),
    ),
    Term(
        "Client.InvalidServiceIdentifier",
        ("Định danh dịch vụ sai", "Đường dẫn không nêu đúng dịch vụ cần gọi."),
        ("Invalid service identifier", "The path does not name a service correctly."),
    ),
    Term(
        "Client.InvalidRequest",
        ("Yêu cầu sai cấu trúc", "Nội dung yêu cầu không đọc được (ví dụ JSON hỏng)."),
        ("Malformed request", "The request's body cannot be read (for example broken JSON)."),
    ),
    Term(
        "Client.InvalidContentType",
        ("Sai kiểu nội dung", "Kiểu nội dung (Content-Type) không phải kiểu dịch vụ nhận."),
        ("Wrong content type", "The Content-Type is not one the service accepts."),
    ),
    Term(
        "Client.RequestTooLarge",
        ("Yêu cầu quá lớn", "Nội dung yêu cầu vượt kích thước nền tảng cho phép."),
        ("Request too large", "The request's body exceeds the size the platform allows."),
    ),
    Term(
        "Client.SchemaViolation",
        (
            "Dữ liệu gửi sai quy định",
            "Yêu cầu thiếu trường hoặc có giá trị sai khuôn dạng; nền tảng chặn trước khi chuyển đi.",
        ),
        ("Request breaks the schema", "A field is missing or malformed; the platform stops it before it is passed on."),
    ),
    Term(
        "Server.ClientProxy.UnknownMember",
        ("Hệ thống chưa đăng ký", "Hệ thống gọi hoặc hệ thống cung cấp chưa được đăng ký trên nền tảng."),
        ("Unknown member", "The calling or providing system is not registered on the platform."),
    ),
    Term(
        "Server.ServerProxy.UnknownService",
        ("Dịch vụ không tồn tại", "Hệ thống cung cấp không có dịch vụ mang tên này."),
        ("Unknown service", "The provider offers no service of this name."),
    ),
    Term(
        "Server.ServerProxy.ServiceType",
        ("Sai phương thức", "Dịch vụ không nhận phương thức HTTP này (ví dụ GET thay vì POST)."),
        ("Wrong method", "The service does not take this HTTP method (for example GET instead of POST)."),
    ),
    Term(
        "Server.ServerProxy.AccessDenied",
        (
            "Không có quyền truy cập",
            "Không có quyền truy cập dịch vụ này: NGSP từ chối, yêu cầu không đến nhà cung cấp.",
        ),
        ("Access denied", "No right to call this service: NGSP refuses and the request never reaches the provider."),
    ),
    Term(
        "Server.ServerProxy.ServiceDisabled",
        ("Dịch vụ tạm ngừng", "Dịch vụ đã bị người vận hành tạm ngừng trên nền tảng."),
        ("Service disabled", "An operator has switched the service off on the platform."),
    ),
    Term(
        "Server.ServerProxy.ServiceFailed",
        ("Nhà cung cấp gặp lỗi", "Hệ thống cung cấp trả lời lỗi hoặc trả lời không đúng giao thức."),
        ("Provider failed", "The provider answered with an error or broke its own protocol."),
    ),
    Term(
        "Server.ServerProxy.ServiceFailed.NetworkError",
        (
            "Không kết nối được nhà cung cấp",
            "Nền tảng không kết nối được tới hệ thống cung cấp (mất kết nối, ngừng hoạt động).",
        ),
        ("Provider unreachable", "The platform cannot reach the provider (link lost, system down)."),
    ),
    Term(
        "Server.ServerProxy.ServiceFailed.Timeout",
        ("Nhà cung cấp quá thời gian", "Hệ thống cung cấp không trả lời trong thời gian cho phép."),
        ("Provider timed out", "The provider did not answer within the allowed time."),
    ),
    Term(
        "Server.ServerProxy.ServiceFailed.CircuitOpen",
        ("Ngắt mạch", "Sau nhiều lỗi liên tiếp, NGSP tạm ngừng gọi nhà cung cấp để phần mềm gọi thất bại nhanh."),
        ("Circuit open", "After repeated failures NGSP stops calling the provider for a while, so callers fail fast."),
    ),
    Term(
        "Server.ServerProxy.ServiceFailed.SchemaViolation",
        (
            "Trả lời sai quy định",
            "Câu trả lời của nhà cung cấp thiếu trường hoặc sai khuôn dạng; nền tảng không chuyển nó đi.",
        ),
        (
            "Answer breaks the schema",
            "The provider's answer is missing a field or malformed; the platform does not pass it on.",
        ),
    ),
    Term(
        "Server.ClientProxy.SslAuthenticationFailed",
        (
            "Xác thực TLS thất bại",
            "Kết nối của hệ thống gọi không đúng kiểu kết nối đã đăng ký: gọi HTTP thường khi phải dùng HTTPS, "
            "không gửi chứng thư TLS, hoặc chứng thư không phải chứng thư đã đăng ký.",
        ),
        (
            "TLS authentication failed",
            "The calling system's connection does not match its registered connection type: plain HTTP where "
            "HTTPS is required, no TLS client certificate, or a certificate that is not the registered one.",
        ),
    ),
    Term(
        "Server.ServerProxy.LoggingFailed",
        (
            "Không ghi được nhật ký",
            "Nền tảng không ghi được nhật ký giao dịch (nhật ký đầy, hoặc nội dung vượt kích thước tối đa được "
            "ghi) nên từ chối, để không có giao dịch nào thiếu bằng chứng.",
        ),
        (
            "Logging failed",
            "The platform cannot write its message log (the log is full, or a body is larger than the maximum "
            "loggable size), so it refuses rather than leave an exchange unrecorded.",
        ),
    ),
    Term(
        "Server.ServerProxy.InternalError",
        ("Lỗi nội bộ của nền tảng", "Nền tảng gặp lỗi khi xử lý yêu cầu; cần người vận hành xem nhật ký."),
        ("Platform internal error", "The platform failed while handling the request; an operator should read its log."),
    ),
)


GLOSSARY: tuple[Term, ...] = _PLATFORM + TRUST_TERMS + NATIVE

_LEGACY = {error.code("7x"): error.type for error in all_hub_errors()}
"""A platform error type in X-Road 7.8's snake case -> the legacy type the glossary is keyed by."""


def lookup(code: str, system: str | None = None) -> Term | None:
    """The term for a platform error type (``system`` None; either spelling, ``error_codes``) or a native
    code of ``system``."""
    if system is None:
        code = _LEGACY.get(code, code)
    return next((t for t in GLOSSARY if t.code == code and t.system == system), None)
