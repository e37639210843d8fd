"""One entry of the glossary (:mod:`ngsp_sim.scenarios.glossary`): a code with its name and
one-sentence meaning in Vietnamese and English."""

from __future__ import annotations

from dataclasses import dataclass

from schemas.scenarios import GlossaryEntry, GlossaryText

__all__ = ["Term", "native"]


@dataclass(frozen=True)
class Term:
    code: str
    vi: tuple[str, str]
    """(name, one-sentence meaning) in Vietnamese."""
    en: tuple[str, str]
    system: str | None = None
    """The simulated system whose native code this is; None for the platform's own error types."""
    field: str | None = None
    """The native field that carries the code (``errorCode``, ``KetQua``...)."""

    def entry(self) -> GlossaryEntry:
        return GlossaryEntry(
            code=self.code,
            kind="platform" if self.system is None else "native",
            system=self.system,
            field=self.field,
            vi=GlossaryText(name=self.vi[0], meaning=self.vi[1]),
            en=GlossaryText(name=self.en[0], meaning=self.en[1]),
        )


def native(system: str, field: str, code: str, vi: tuple[str, str], en: tuple[str, str]) -> Term:
    return Term(code, vi, en, system=system, field=field)
