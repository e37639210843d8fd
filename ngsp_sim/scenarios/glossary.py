"""Plain words for every code a trainee meets: each platform error type the hub answers
(:mod:`ngsp_sim.errors`) and each native code the simulated agencies return, with a Vietnamese and an
English name and a one-sentence meaning. Served as ``GET /api/v1/glossary``; scenario steps explain
their outcome with it.

A test checks that every :class:`~ngsp_sim.errors.HubError` type is here, so a new error cannot ship
unexplained.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.scenarios import GlossaryEntry, GlossaryText

__all__ = ["GLOSSARY", "Term", "lookup", "native"]


@dataclass(frozen=True)
class Term:
    code: str
    vi: tuple[str, str]
    """(name, one-sentence meaning) in Vietnamese."""
    en: tuple[str, str]
    system: str | None = None
    """The simulated system whose native code this is; None for the platform's own error types."""
    field: str | None = None
    """The native field that carries the code (``errorCode``, ``KetQua``...)."""

    def entry(self) -> GlossaryEntry:
        return GlossaryEntry(
            code=self.code,
            kind="platform" if self.system is None else "native",
            system=self.system,
            field=self.field,
            vi=GlossaryText(name=self.vi[0], meaning=self.vi[1]),
            en=GlossaryText(name=self.en[0], meaning=self.en[1]),
        )


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
        "Server.ServerProxy.LoggingFailed",
        (
            "Không ghi được nhật ký",
            "Nền tảng không ghi được nhật ký giao dịch nên từ chối, để không có giao dịch nào thiếu bằng chứng.",
        ),
        (
            "Logging failed",
            "The platform cannot write its message log, so it refuses rather than leave an exchange unrecorded.",
        ),
    ),
    Term(
        "Server.ServerProxy.InternalError",
        ("Lỗi nội bộ của nền tảng", "Nền tảng gặp lỗi khi xử lý yêu cầu; cần người vận hành xem nhật ký."),
        ("Platform internal error", "The platform failed while handling the request; an operator should read its log."),
    ),
)


def native(system: str, field: str, code: str, vi: tuple[str, str], en: tuple[str, str]) -> Term:
    return Term(code, vi, en, system=system, field=field)


_NOT_FOUND_VI, _NOT_FOUND_EN = "Không tìm thấy", "Not found"
_NATIVE = (
    native(
        "civil_status",
        "errorCode",
        "100",
        ("Dữ liệu không hợp lệ", "Hồ sơ hộ tịch gửi sang thiếu hoặc sai dữ liệu."),
        ("Invalid data", "The civil-status dossier is missing data or malformed."),
    ),
    native(
        "civil_status",
        "errorCode",
        "101",
        ("Hồ sơ đã đăng ký", "Hồ sơ với mã này đã được đăng ký trước đó."),
        ("Already registered", "A dossier with this code was registered before."),
    ),
    native(
        "civil_status",
        "errorCode",
        "106",
        ("Không có trong CSDL dân cư", "Số định danh cá nhân không có trong Cơ sở dữ liệu quốc gia về dân cư."),
        (
            "Not in the population database",
            "The personal identification number is not in the National Population Database.",
        ),
    ),
    native(
        "civil_status",
        "errorCode",
        "201",
        (_NOT_FOUND_VI + " hồ sơ", "Không có hồ sơ hộ tịch với mã này."),
        (_NOT_FOUND_EN, "There is no civil-status dossier with this code."),
    ),
    native(
        "one_stop",
        "KetQua",
        "0",
        ("Không tiếp nhận", "Hệ thống một cửa không tiếp nhận hồ sơ; lý do ghi ở trường MoTa."),
        ("Not received", "The one-stop system did not receive the dossier; MoTa says why."),
    ),
    native(
        "one_stop",
        "KetQua",
        "1",
        ("Đã tiếp nhận", "Hệ thống một cửa đã tiếp nhận hồ sơ."),
        ("Received", "The one-stop system received the dossier."),
    ),
    native(
        "payment",
        "error_code",
        "00",
        ("Thành công", "Nền tảng thanh toán chấp nhận bản tin."),
        ("Success", "The payment platform accepted the message."),
    ),
    native(
        "payment",
        "error_code",
        "01",
        ("Đối tác chưa đăng ký", "Đơn vị gửi chưa được đăng ký với nền tảng thanh toán."),
        ("Unknown partner", "The sender is not registered with the payment platform."),
    ),
    native(
        "payment",
        "error_code",
        "02",
        ("Sai mã xác thực", "Chữ ký MaXacThuc không khớp: bản tin bị giả mạo hoặc bị sửa."),
        ("Wrong signature", "MaXacThuc does not match: the message was forged or altered."),
    ),
    native(
        "payment",
        "error_code",
        "03",
        ("Trùng mã tham chiếu", "Mã tham chiếu của giao dịch đã được dùng."),
        ("Duplicate reference", "The transaction's reference was used before."),
    ),
    native(
        "payment",
        "error_code",
        "04",
        (_NOT_FOUND_VI + " giao dịch", "Không có giao dịch với mã tham chiếu này."),
        ("Transaction not found", "There is no transaction with this reference."),
    ),
    native(
        "payment",
        "error_code",
        "99",
        ("Bản tin không hợp lệ", "Bản tin thanh toán thiếu hoặc sai dữ liệu."),
        ("Invalid message", "The payment message is missing data or malformed."),
    ),
    native(
        "tax",
        "MaLoi",
        "00",
        ("Thành công", "Cục Thuế trả lời thành công."),
        ("Success", "The Tax Department answered successfully."),
    ),
    native(
        "tax",
        "MaLoi",
        "01",
        (_NOT_FOUND_VI + " thông báo thuế", "Không có thông báo thuế với mã này."),
        ("Tax notice not found", "There is no tax notice with this code."),
    ),
    native(
        "tax",
        "MaLoi",
        "02",
        ("Dữ liệu không hợp lệ", "Yêu cầu gửi Cục Thuế thiếu hoặc sai dữ liệu."),
        ("Invalid data", "The request to the Tax Department is missing data or malformed."),
    ),
    native(
        "dvcqg",
        "error_code",
        "0",
        ("Thành công", "Cổng Dịch vụ công quốc gia xử lý thành công."),
        ("Success", "The National Public Service Portal handled the call."),
    ),
    native(
        "dvcqg",
        "error_code",
        "1",
        ("Đăng nhập thất bại", "Sai tên đăng nhập hoặc mật khẩu của hệ thống gọi."),
        ("Login failed", "The caller's user name or password is wrong."),
    ),
    native(
        "dvcqg",
        "error_code",
        "2",
        ("Phiên hết hạn", "Phiên làm việc không hợp lệ hoặc đã hết hạn; cần đăng nhập lại."),
        ("Session expired", "The session is invalid or has expired; log in again."),
    ),
    native(
        "dvcqg",
        "error_code",
        "3",
        (_NOT_FOUND_VI, "Không tìm thấy thủ tục hoặc hồ sơ được hỏi."),
        (_NOT_FOUND_EN, "The procedure or dossier asked for does not exist."),
    ),
    native(
        "dvcqg",
        "error_code",
        "4",
        ("Yêu cầu không hợp lệ", "Dịch vụ không được hỗ trợ hoặc dữ liệu gửi sai."),
        ("Bad request", "The service is not supported or the data is wrong."),
    ),
    native(
        "social_insurance",
        "status",
        "0",
        ("Không thành công", "Bảo hiểm xã hội không tìm thấy người tham gia hoặc dữ liệu sai."),
        ("Unsuccessful", "Social insurance found no participant, or the data is wrong."),
    ),
    native(
        "social_insurance",
        "status",
        "1",
        ("Thành công", "Bảo hiểm xã hội trả lời thành công."),
        ("Success", "Social insurance answered successfully."),
    ),
    native(
        "business",
        "Status",
        "0",
        (_NOT_FOUND_VI, "Không tìm thấy doanh nghiệp hoặc hồ sơ đăng ký được hỏi."),
        (_NOT_FOUND_EN, "The business or registration asked for does not exist."),
    ),
    native(
        "business",
        "Status",
        "1",
        ("Thành công", "Cơ sở dữ liệu đăng ký doanh nghiệp trả lời thành công."),
        ("Success", "The business registry answered successfully."),
    ),
    native(
        "reference_lists",
        "Status",
        "0",
        ("Không có phiên bản", "Danh mục dùng chung không có phiên bản được hỏi."),
        ("No such version", "The shared reference list has no such version."),
    ),
    native(
        "reference_lists",
        "Status",
        "1",
        ("Thành công", "Danh mục dùng chung trả lời thành công."),
        ("Success", "The shared reference list answered successfully."),
    ),
    native(
        "criminal_records",
        "STATUS",
        "0",
        (
            "Không thành công",
            "Lý lịch tư pháp không tiếp nhận: dữ liệu sai, không khớp CSDL dân cư hoặc không có hồ sơ.",
        ),
        ("Unsuccessful", "Criminal records refused: wrong data, no match in the population database, or no such file."),
    ),
    native(
        "criminal_records",
        "STATUS",
        "1",
        ("Thành công", "Lý lịch tư pháp tiếp nhận hoặc trả lời thành công."),
        ("Success", "Criminal records received the request or answered it."),
    ),
    native(
        "population",
        "faultcode",
        "soapenv:Client",
        (
            "Yêu cầu SOAP bị từ chối",
            "CSDL dân cư từ chối bản tin SOAP: sai cấu trúc, sai thao tác hoặc sai mã tích hợp.",
        ),
        (
            "SOAP request refused",
            "The population database refused the SOAP message: malformed, unknown operation or wrong integration code.",
        ),
    ),
    native(
        "vdxp",
        "status",
        "FAIL",
        ("Trục liên thông từ chối", "Trục liên thông văn bản quốc gia không nhận văn bản hoặc trạng thái gửi sang."),
        ("Exchange axis refused", "The national document exchange axis did not accept the document or status."),
    ),
)

GLOSSARY: tuple[Term, ...] = _PLATFORM + _NATIVE


def lookup(code: str, system: str | None = None) -> Term | None:
    """The term for a platform error type (``system`` None) or a native code of ``system``."""
    return next((t for t in GLOSSARY if t.code == code and t.system == system), None)
