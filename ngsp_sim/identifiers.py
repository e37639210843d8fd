"""X-Road identifiers: ``INSTANCE/CLASS/MEMBER/SUBSYSTEM[/SERVICE]``.

Each part may hold only ``A-Z a-z 0-9 ' ( ) + , - . = ?`` (the X-Road identifier character set).
``parse`` raises ``ValueError`` with a sentence that names the bad part; callers turn it into the
error fitting where the identifier came from (a header, a URL, a topology file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["SERVICE_PATTERN", "SUBSYSTEM_PATTERN", "MemberId", "ServiceId", "SubsystemId", "check_part"]

_ALLOWED = re.compile(r"[A-Za-z0-9'()+,\-.=?]+")
_PART = r"[A-Za-z0-9'()+,\-.=?]{1,255}"
SUBSYSTEM_PATTERN = f"^{_PART}/{_PART}/{_PART}/{_PART}$"
"""What :meth:`SubsystemId.parse` takes, as a JSON Schema ``pattern``."""
SERVICE_PATTERN = f"^{_PART}/{_PART}/{_PART}/{_PART}/{_PART}$"
"""What :meth:`ServiceId.parse` takes, as a JSON Schema ``pattern``."""
_PART_NAMES = ("instance", "member class", "member code", "subsystem code", "service code")


def check_part(value: str, what: str) -> str:
    if not value:
        raise ValueError(f"the {what} is empty")
    if len(value) > 255:
        raise ValueError(f"the {what} is longer than 255 characters")
    if not _ALLOWED.fullmatch(value):
        bad = sorted({c for c in value if not _ALLOWED.fullmatch(c)})
        raise ValueError(
            f"the {what} {value!r} holds {''.join(bad)!r}; X-Road identifiers allow only A-Z a-z 0-9 ' ( ) + , - . = ?"
        )
    return value


def _split(text: str, count: int, example: str) -> list[str]:
    parts = text.split("/")
    if len(parts) != count:
        raise ValueError(f"expected {count} parts separated by '/', like {example}, got {text!r}")
    for part, name in zip(parts, _PART_NAMES, strict=False):
        check_part(part, name)
    return parts


@dataclass(frozen=True, slots=True, order=True)
class MemberId:
    instance: str
    member_class: str
    member_code: str

    def __str__(self) -> str:
        return f"{self.instance}/{self.member_class}/{self.member_code}"


@dataclass(frozen=True, slots=True, order=True)
class SubsystemId:
    instance: str
    member_class: str
    member_code: str
    subsystem_code: str

    @classmethod
    def parse(cls, text: str) -> SubsystemId:
        return cls(*_split(text.strip(), 4, "VN/GOV/000.00.00.H29/MOTCUA"))

    @property
    def member(self) -> MemberId:
        return MemberId(self.instance, self.member_class, self.member_code)

    def __str__(self) -> str:
        return f"{self.instance}/{self.member_class}/{self.member_code}/{self.subsystem_code}"


@dataclass(frozen=True, slots=True, order=True)
class ServiceId:
    subsystem: SubsystemId
    service_code: str

    @classmethod
    def parse(cls, text: str) -> ServiceId:
        parts = _split(text.strip(), 5, "VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan")
        return cls(SubsystemId(*parts[:4]), parts[4])

    def __str__(self) -> str:
        return f"{self.subsystem}/{self.service_code}"
