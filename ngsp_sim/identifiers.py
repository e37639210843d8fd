"""X-Road identifiers: ``INSTANCE/CLASS/MEMBER/SUBSYSTEM[/SERVICE]``.

Each part may hold only ``A-Z a-z 0-9 ' ( ) + , - . = ?`` (the X-Road identifier character set).
``parse`` raises ``ValueError`` with a sentence that names the bad part; callers turn it into the
error fitting where the identifier came from (a header, a URL, a topology file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "CLIENT_PATTERN",
    "SERVICE_PATTERN",
    "SUBSYSTEM_PATTERN",
    "MemberId",
    "ServiceId",
    "SubsystemId",
    "check_part",
]

_ALLOWED = re.compile(r"[A-Za-z0-9'()+,\-.=?]+")
_PART = r"[A-Za-z0-9'()+,\-.=?]{1,255}"
SUBSYSTEM_PATTERN = f"^{_PART}/{_PART}/{_PART}/{_PART}$"
"""What :meth:`SubsystemId.parse` takes, as a JSON Schema ``pattern``."""
CLIENT_PATTERN = f"^{_PART}/{_PART}/{_PART}(/{_PART})?$"
"""What :meth:`SubsystemId.parse_client` takes (a subsystem, or a member calling as itself)."""
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
    return _checked(text.split("/"), count, example)


def _checked(parts: list[str], count: int, example: str) -> list[str]:
    if len(parts) != count:
        raise ValueError(f"expected {count} parts separated by '/', like {example}, got {'/'.join(parts)!r}")
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
    """A subsystem; as a service *client* it may also be a member itself (PR-REST 4.1: including the
    subsystem code is OPTIONAL), with ``subsystem_code`` empty (:meth:`parse_client`). A service's
    provider is always a subsystem: X-Road reads five identifier parts from an ``/r1`` path."""

    instance: str
    member_class: str
    member_code: str
    subsystem_code: str

    @classmethod
    def parse(cls, text: str) -> SubsystemId:
        return cls.of_parts(text.strip().split("/"))

    @classmethod
    def of_parts(cls, parts: list[str]) -> SubsystemId:
        """From parts already split on ``/`` (and, from the wire, each percent-decoded on its own)."""
        return cls(*_checked(parts, 4, "VN/GOV/000.00.00.H29/MOTCUA"))

    @classmethod
    def parse_client(cls, text: str) -> SubsystemId:
        return cls.of_client_parts(text.strip().split("/"))

    @classmethod
    def of_client_parts(cls, parts: list[str]) -> SubsystemId:
        """A service client: ``INSTANCE/CLASS/MEMBER/SUBSYSTEM`` or a member, ``INSTANCE/CLASS/MEMBER``."""
        if len(parts) == 3:
            instance, member_class, member_code = _checked(parts, 3, "VN/GOV/000.00.00.H29")
            return cls(instance, member_class, member_code, "")
        if len(parts) != 4:
            raise ValueError(
                f"expected 3 or 4 parts separated by '/', like VN/GOV/000.00.00.H29/MOTCUA, got {'/'.join(parts)!r}"
            )
        return cls.of_parts(parts)

    @property
    def is_member(self) -> bool:
        """True for a member-level client (no subsystem code)."""
        return not self.subsystem_code

    @property
    def member(self) -> MemberId:
        return MemberId(self.instance, self.member_class, self.member_code)

    def __str__(self) -> str:
        member = f"{self.instance}/{self.member_class}/{self.member_code}"
        return f"{member}/{self.subsystem_code}" if self.subsystem_code else member


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
