"""Reading a caller's ``Accept`` header (RFC 9110, section 12.5.1), q-values included.

Two X-Road rules rest on it: the hub's own errors come as JSON unless the caller prefers XML
(PR-REST 4.6, JSON being the default), and ``listClients`` answers JSON only when JSON is asked for,
``text/xml`` otherwise (PR-META 2). Each media type is judged by the most specific range that matches
it (``type/subtype`` before ``type/*`` before ``*/*``); a range with ``q=0`` refuses the type.
"""

from __future__ import annotations

__all__ = ["asks_for_json", "prefers_xml", "quality"]

_JSON = ("application/json",)
_XML = ("application/xml", "text/xml")


def _ranges(accept: str) -> list[tuple[str, float]]:
    """``(media range, q)`` for each element of ``accept``; a malformed q counts as 0."""
    out = []
    for element in accept.split(","):
        media, *params = (p.strip() for p in element.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(1.0, max(0.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        out.append((media.lower(), q))
    return out


def _specificity(media_range: str, media: str) -> int:
    """3 for the type itself (or a structured suffix such as ``+json`` of it), 2 for ``type/*``,
    1 for ``*/*``, 0 when the range does not match ``media``."""
    kind, _, sub = media.partition("/")
    range_kind, _, range_sub = media_range.partition("/")
    if media_range == media or (range_kind == kind and range_sub.endswith("+" + sub)):
        return 3
    if range_kind == kind and range_sub == "*":
        return 2
    return 1 if media_range == "*/*" else 0


def quality(accept: str, media: str) -> tuple[float, int]:
    """``(q, specificity)`` of ``media`` under ``accept``: the q of the most specific matching range,
    ``(0, 0)`` when none matches."""
    best = (0.0, 0)
    for media_range, q in _ranges(accept):
        rank = _specificity(media_range, media)
        if rank > best[1]:
            best = (q, rank)
    return best


def _best(accept: str, types: tuple[str, ...]) -> tuple[float, int]:
    return max(quality(accept, media) for media in types)


def prefers_xml(accept: str) -> bool:
    """True when the caller rates an XML type above JSON (ties go to JSON, X-Road's default)."""
    return _best(accept, _XML)[0] > _best(accept, _JSON)[0]


def asks_for_json(accept: str) -> bool:
    """True when ``accept`` names JSON itself (not by a wildcard), at least as high as XML."""
    q, rank = _best(accept, _JSON)
    return rank == 3 and q > 0 and q >= _best(accept, _XML)[0]
