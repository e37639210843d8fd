"""Reading an ``/r1/...`` request path safely.

X-Road percent-encodes each identifier part on its own, so the raw path is split on ``/`` *before*
decoding. Below the service, each segment is decoded once and must then be plain data: a segment
whose decoded text holds ``/``, ``?``, ``#``, ``%`` or ``\\``, is an encoded dot segment (``%2e%2e``),
a dot segment with parameters (``..;x``) or holds control characters is refused, naming the segment.
Such text would be data to the access check but syntax to the provider (a second decoding, a
``?`` that starts a query, a servlet container that resolves ``..;``), so the provider could receive a
path or query that was never checked. Plain ``.`` and ``..`` segments are resolved (as every HTTP
client does) and a path that climbs above the service is refused. What the access check judges is
exactly what :func:`ngsp_sim.transport.http.wire_path` sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from ngsp_sim.errors import InvalidRequest, InvalidServiceIdentifier
from ngsp_sim.identifiers import ServiceId, SubsystemId, check_part

__all__ = ["R1Target", "normalise_rest", "parse_r1"]

_NAMES = ("instance", "member class", "member code", "subsystem code", "service code")


@dataclass(frozen=True, slots=True)
class R1Target:
    subsystem: SubsystemId
    service_code: str
    rest: str
    """Normalised path below the service, always starting with ``/`` (``/`` when there is none)."""

    @property
    def service(self) -> ServiceId:
        return ServiceId(self.subsystem, self.service_code)


def _decode(part: str) -> str:
    try:
        return unquote(part, errors="strict")
    except UnicodeDecodeError:
        raise InvalidRequest("the path holds percent-encoded bytes that are not UTF-8") from None


_SYNTAX = frozenset("/?#%\\")
_DOTS = (".", "..")


def _segment(raw: str) -> str:
    """One segment as sent -> its text, or :class:`InvalidRequest` naming it."""
    text = _decode(raw)
    problem = None
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        problem = "holds control characters"
    elif found := _SYNTAX.intersection(text):
        listed = ", ".join(f"'{c}'" for c in sorted(found))
        problem = f"holds {listed}, URL syntax that a provider would not read as data"
    elif text in _DOTS and raw not in _DOTS:
        problem = "is a percent-encoded dot segment"
    elif ";" in text and text.split(";", 1)[0] in _DOTS:
        problem = "is a dot segment with parameters"
    if problem is not None:
        raise InvalidRequest(
            f"the path segment '{raw[:80]}' {problem}",
            detail="send each path segment percent-encoded once, as data; see README, Security edges",
        )
    return text


def normalise_rest(raw_segments: list[str]) -> str:
    """The path below the service from its raw segments: checked, decoded, dot segments resolved."""
    out: list[str] = []
    for raw in raw_segments:
        segment = _segment(raw)
        if segment in ("", "."):
            continue
        if segment == "..":
            if not out:
                raise InvalidRequest(
                    "the path climbs above the service with '..'",
                    detail="paths are normalised before routing",
                )
            out.pop()
            continue
        out.append(segment)
    return "/" + "/".join(out)


def parse_r1(raw_path: str) -> R1Target:
    """``raw_path`` is the request path as sent (still percent-encoded), without the query."""
    parts = raw_path.split("/")
    if len(parts) < 7 or parts[0] != "" or parts[1] != "r1":
        raise InvalidServiceIdentifier(
            "expected /r1/{INSTANCE}/{CLASS}/{MEMBER}/{SUBSYSTEM}/{SERVICE}[/path]",
            detail=f"got {raw_path[:200]}",
        )
    ids = []
    for raw, name in zip(parts[2:7], _NAMES, strict=True):
        try:
            ids.append(check_part(_decode(raw), name))
        except ValueError as exc:
            raise InvalidServiceIdentifier(f"in the service identifier, {exc}") from None
    return R1Target(SubsystemId(*ids[:4]), ids[4], normalise_rest(parts[7:]))
