"""A message-log entry the store cannot take as it is, made storable by escaping.

The hub decodes header bytes leniently (aiohttp keeps an undecodable byte such as ``0xff`` as a lone
surrogate, ``\\udcff``); JSON, UTF-8 and PostgreSQL all refuse such text, and PostgreSQL also refuses
NUL in a text column. Rather than lose the exchange, the message log stores it *escaped*: every lone
surrogate becomes the text ``\\xNN`` (the undecodable byte) or ``\\uXXXX``, NUL becomes ``\\x00``, a
value JSON cannot hold becomes its text; and the record lists what was changed in ``escapedFields``
(so an escaped ``\\xff`` is never mistaken for the four characters a client may have sent).
"""

from __future__ import annotations

import codecs
import dataclasses
from typing import Any

from ngsp_sim.store import MessageEntry

__all__ = ["ESCAPED_FIELDS", "escape_text", "storable"]

ESCAPED_FIELDS = "escapedFields"
"""The record's own field naming what :func:`storable` escaped (a documented addition to the
X-Road operational-monitoring fields)."""

_HANDLER = "ngsp-escape"
_INT64 = 2**63


def _escape_surrogates(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeEncodeError):
        raise err
    chars = err.object[err.start : err.end]
    text = "".join(f"\\x{ord(c) - 0xDC00:02x}" if 0xDC80 <= ord(c) <= 0xDCFF else f"\\u{ord(c):04x}" for c in chars)
    return text, err.end


codecs.register_error(_HANDLER, _escape_surrogates)


def escape_text(value: str) -> str:
    """``value`` with lone surrogates and NUL written out as escapes; other text unchanged."""
    if value.isascii() and "\x00" not in value:
        return value
    return value.encode("utf-8", _HANDLER).decode("utf-8").replace("\x00", "\\x00")


class _Escaper:
    def __init__(self) -> None:
        self.changed: list[str] = []

    def text(self, value: str | None, where: str) -> str | None:
        if value is None:
            return None
        escaped = escape_text(value)
        if escaped != value:
            self.changed.append(where)
        return escaped

    def value(self, value: Any, where: str) -> Any:
        if value is None or isinstance(value, bool | float):
            return value
        if isinstance(value, int):
            if -_INT64 <= value < _INT64:
                return value
            self.changed.append(where)
            return str(value)
        if isinstance(value, str):
            return self.text(value, where)
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                name = self.text(str(key), where) or ""
                out[name] = self.value(item, f"{where}/{name}" if where else name)
            return out
        if isinstance(value, list | tuple):
            return [self.value(item, f"{where}/{i}") for i, item in enumerate(value)]
        self.changed.append(where)
        return self.text(repr(value), where)


def storable(entry: MessageEntry) -> MessageEntry | None:
    """``entry`` escaped, with ``escapedFields`` naming each changed field (record fields by name,
    nested ones as a path, columns as ``client``, ``service``, ``violations``, ``injected``); ``None``
    when there is nothing to escape, so the store's refusal has another cause."""
    escaper = _Escaper()
    record = escaper.value(entry.record, "")
    client = escaper.text(entry.client, "client")
    service = escaper.text(entry.service, "service")
    violations = escaper.value(entry.violations, "violations")
    injected = escaper.text(entry.injected, "injected")
    if not escaper.changed:
        return None
    record[ESCAPED_FIELDS] = sorted(set(escaper.changed))
    return dataclasses.replace(
        entry, record=record, client=client, service=service, violations=violations, injected=injected
    )
