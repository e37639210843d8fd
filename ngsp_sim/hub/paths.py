"""Reading an ``/r1/...`` request path safely.

X-Road percent-encodes each identifier part on its own, so the raw path is split on ``/`` *before*
decoding. The rest of the path below the service is decoded, split again (an encoded ``%2F`` is a
separator too) and its dot segments resolved; a path that climbs above the service is refused. The
access check then sees the normalised path, so ``%2e%2e`` cannot step out of a rule.
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


def normalise_rest(raw_segments: list[str]) -> str:
    out: list[str] = []
    for segment in "/".join(_decode(s) for s in raw_segments).split("/"):
        if any(ord(c) < 32 or ord(c) == 127 for c in segment):
            raise InvalidRequest("the path holds control characters")
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
