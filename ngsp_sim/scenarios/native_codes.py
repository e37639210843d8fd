"""The native codes the simulated agencies answer with, in plain words (part of the glossary): the
fields that carry a business answer (``errorCode``, ``KetQua``, ``MaLoi``, ``error_code``...) and each
value they take."""

from __future__ import annotations

from ngsp_sim.scenarios.terms import Term, native

__all__ = ["NATIVE"]

_NOT_FOUND_VI, _NOT_FOUND_EN = "Không tìm thấy", "Not found"
NATIVE: tuple[Term, ...] = (
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
