"""Access rules: which client subsystem may call which service, optionally per method and path.

Paths are matched segment by segment *after* the hub has normalised them (each segment decoded once,
dot segments resolved), so ``/public/../private`` is judged as ``/private``; encoded delimiters and
encoded dot segments never get here (:mod:`ngsp_sim.hub.paths` refuses them). In a pattern ``*``
matches one segment and ``**`` any number of segments, including none.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from ngsp_sim.identifiers import ServiceId, SubsystemId

__all__ = ["AccessRule", "path_matches"]


def path_matches(pattern: str, path: str) -> bool:
    return _match(pattern.strip("/").split("/"), path.strip("/").split("/"))


def _match(pattern: list[str], segments: list[str]) -> bool:
    if pattern == [""]:
        pattern = []
    if segments == [""]:
        segments = []
    if not pattern:
        return not segments
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_match(rest, segments[i:]) for i in range(len(segments) + 1))
    if not segments:
        return False
    ok = segments[0] != "" and (
        head == "*" or ("*" not in head and head == segments[0]) or ("*" in head and fnmatchcase(segments[0], head))
    )
    return ok and _match(rest, segments[1:])


@dataclass(frozen=True, slots=True)
class AccessRule:
    """A right of one ``client`` subsystem, or of every member of ``group``."""

    client: SubsystemId | None
    service: ServiceId
    methods: frozenset[str] | None = None
    paths: tuple[str, ...] | None = None
    group: str | None = None

    def allows(self, method: str, path: str) -> bool:
        if self.methods is not None and method not in self.methods:
            return False
        return self.paths is None or any(path_matches(p, path) for p in self.paths)
