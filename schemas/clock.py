"""Payloads of the platform clock's admin API (``/api/v1/clock``)."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ClockAdvance", "ClockChange", "ClockInfo"]

MAX_ADVANCE = 366 * 86400
"""The most one advance moves the clock: a year (a longer jump is a typo more often than a lesson)."""


class ClockInfo(BaseModel):
    now: str = Field(description="The platform's time, ISO 8601 in UTC")
    now_ms: int = Field(description="The platform's time, milliseconds since the epoch")
    frozen: bool = Field(description="True while the clock stands still (advances still move it)")
    offset_seconds: float = Field(description="The platform's time minus real time; positive after advances")
    can_resume: bool = Field(description="False for a clock that only moves when advanced (a test's manual clock)")

    @classmethod
    def at(cls, now: float, *, frozen: bool, offset: float, can_resume: bool) -> ClockInfo:
        """The clock at ``now`` (seconds since the epoch)."""
        return cls(
            now=datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            now_ms=int(now * 1000),
            frozen=frozen,
            offset_seconds=round(offset, 3),
            can_resume=can_resume,
        )


class ClockChange(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    frozen: bool = Field(description="true: stop the clock; false: let it run again from where it stands")


class ClockAdvance(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    seconds: float = Field(gt=0, le=MAX_ADVANCE, description="Move the clock forward this many seconds at once")
