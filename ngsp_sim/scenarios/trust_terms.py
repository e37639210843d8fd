"""Glossary entries of the trust-plane errors (:class:`ngsp_sim.errors.TrustPlaneError`): each of the
four on the client's security server (``Server.ClientProxy.*``) and on the provider's
(``Server.ServerProxy.*``), one meaning with the side named."""

from __future__ import annotations

from ngsp_sim.scenarios.terms import Term

__all__ = ["TRUST_TERMS"]

# (last part of the type, Vietnamese (name, meaning), English (name, meaning)); the meaning is completed
# with the side it happened on.
_TRUST: tuple[tuple[str, tuple[str, str], tuple[str, str]], ...] = (
    (
        "OutdatedGlobalConf",
        (
            "Cấu hình toàn cục hết hạn",
            "Máy chủ bảo mật không tải được cấu hình toàn cục mới (danh sách thành viên, chứng thư, dịch vụ tin cậy) "
            "nên từ chối mọi giao dịch",
        ),
        (
            "Global configuration expired",
            "The security server has not downloaded a fresh global configuration (members, certificates, "
            "trust services), so it refuses every exchange",
        ),
    ),
    (
        "IncorrectValidationInfo",
        (
            "Không có phản hồi OCSP mới",
            "Máy chủ bảo mật không có phản hồi OCSP đủ mới cho chứng thư số, nên không chứng minh được chứng thư "
            "còn hiệu lực",
        ),
        (
            "No fresh OCSP response",
            "The security server has no recent enough OCSP response for a certificate, so it cannot prove "
            "the certificate is still good",
        ),
    ),
    (
        "TimestampingFailed",
        (
            "Không cấp được dấu thời gian",
            "Dịch vụ cấp dấu thời gian không truy cập được quá thời hạn cho phép, nên nhật ký giao dịch không được "
            "đóng dấu thời gian và máy chủ bảo mật từ chối",
        ),
        (
            "Time-stamping failed",
            "The time-stamping service has been unreachable for longer than allowed, so the message log "
            "cannot be time-stamped and the security server refuses",
        ),
    ),
    (
        "CertValidation",
        (
            "Chứng thư số không hợp lệ",
            "Chứng thư chữ ký số hoặc chứng thư xác thực của thành viên đã hết hạn hoặc bị thu hồi",
        ),
        (
            "Certificate not valid",
            "The member's signing or authentication certificate has expired or been revoked",
        ),
    ),
)

_SIDES = (
    ("ClientProxy", "ở phía hệ thống gọi", "on the client's side"),
    ("ServerProxy", "ở phía nhà cung cấp", "on the provider's side"),
)

TRUST_TERMS: tuple[Term, ...] = tuple(
    Term(f"Server.{proxy}.{code}", (vi[0], f"{vi[1]} ({vi_side})."), (en[0], f"{en[1]} ({en_side})."))
    for code, vi, en in _TRUST
    for proxy, vi_side, en_side in _SIDES
)
