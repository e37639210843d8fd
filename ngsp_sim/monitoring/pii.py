"""Masking personal data in structured log lines (not in the message log, which is the evidence store).

A structlog processor: citizen ID numbers (12 digits) and old ID card numbers (9 digits), phone
numbers, e-mail addresses, and the values of name fields (``HoVaTen``, ``ChuHoSo``...) are masked
wherever they appear in an event, however deeply nested. Masking keeps enough to correlate lines
(``079******234``) without exposing the person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any

__all__ = ["NAME_KEYS", "PiiMasker", "mask_text"]

NAME_KEYS = frozenset(
    {"HoVaTen", "ChuHoSo", "Ho", "ChuDem", "Ten", "HoTen", "HoTenNguoiNop", "FULL_NAME", "NAME", "name", "full_name"}
)
_SAFE_KEYS = frozenset({"event", "level", "timestamp", "xroad_id", "client", "service", "status", "fault", "ms"})

_ID = re.compile(r"(?<!\d)(\d{3})\d{3,6}(\d{3})(?!\d)")  # 9-12 digit identifiers
_PHONE = re.compile(r"(?<![\d+])(\+84|0)(\d{2})\d{5}(\d{2})(?!\d)")  # 0 + 9 digits, or +84 + 9
_EMAIL = re.compile(r"\b([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b")


def mask_text(text: str) -> str:
    text = _EMAIL.sub(r"\1***@\2", text)
    text = _PHONE.sub(lambda m: f"{m[1]}{m[2]}{'*' * (len(m[0]) - len(m[1]) - 4)}{m[3]}", text)
    return _ID.sub(lambda m: f"{m[1]}{'*' * (len(m[0]) - 6)}{m[2]}", text)


def _mask_name(value: str) -> str:
    return " ".join(part[:1] + "." for part in value.split()) if value else value


class PiiMasker:
    """``PiiMasker()`` as a structlog processor; ``extra_name_keys`` adds fields holding names."""

    def __init__(self, extra_name_keys: Iterable[str] = ()) -> None:
        self.name_keys = NAME_KEYS | frozenset(extra_name_keys)

    def _mask(self, value: Any, key: str | None = None) -> Any:
        if isinstance(value, str):
            return _mask_name(value) if key in self.name_keys else mask_text(value)
        if isinstance(value, dict):
            return {k: self._mask(v, k) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._mask(v, key) for v in value]
        return value

    def __call__(self, logger: Any, method: str, event: MutableMapping[str, Any]) -> Mapping[str, Any]:
        return {k: (v if k in _SAFE_KEYS else self._mask(v, k)) for k, v in event.items()}
