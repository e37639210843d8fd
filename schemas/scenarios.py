"""Payloads of the admin API's scenario routes (``/api/v1/scenarios``, ``/api/v1/scenario-runs``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.base import exactly_one_of

__all__ = [
    "Glossary",
    "GlossaryEntry",
    "GlossaryText",
    "ScenarioDetail",
    "ScenarioList",
    "ScenarioRunChange",
    "ScenarioRunCreate",
    "ScenarioRunInfo",
    "ScenarioRunList",
    "ScenarioStepInfo",
    "ScenarioStepState",
    "ScenarioSummary",
    "SessionInfo",
    "Text",
]

StepStatus = Literal["pending", "waiting", "running", "passed", "failed", "skipped"]
RunState = Literal["waiting", "running", "passed", "failed", "stopped", "abandoned"]


class Text(BaseModel):
    """The same words in Vietnamese and English."""

    vi: str
    en: str


class ScenarioSummary(BaseModel):
    name: str
    title: Text
    summary: Text | None = None
    steps: int


class ScenarioList(BaseModel):
    items: list[ScenarioSummary]


class ScenarioStepInfo(BaseModel):
    index: int
    action: Literal["say", "call", "wait", "fault", "clear", "reset_circuit", "throttle", "advance"]
    title: Text
    say: Text | None = None
    service: str | None = Field(default=None, description="call: the service called; throttle: the service throttled")
    client: str | None = Field(default=None, description="call: the client subsystem of the actor")
    tier: str | None = Field(default=None, description="throttle: the tier the service gets until the run ends")
    repeat: int = Field(default=1, description="call: how many times it is sent at once")


class ScenarioDetail(ScenarioSummary):
    lesson: Text | None = Field(default=None, description="What this shows: a paragraph for the trainer")
    actors: dict[str, str] = Field(description="Actor -> client subsystem")
    variables: dict[str, Any]
    items: list[ScenarioStepInfo]


class ScenarioRunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=exactly_one_of("scenario", "source"))

    scenario: str | None = Field(default=None, description="A shipped scenario's name")
    source: str | None = Field(default=None, max_length=262_144, description="Or a scenario's YAML text")
    step: bool = Field(default=False, description="Wait for POST .../next before each step")
    variables: dict[str, str | int] = Field(
        default_factory=dict,
        description="Override declared variables (a name the scenario does not declare is refused)",
    )
    pace: float = Field(
        default=0, ge=0, le=60, description="Seconds of the hub's clock between steps; 0 runs them at once"
    )


class ScenarioRunChange(BaseModel):
    """``PATCH /api/v1/scenario-runs/{id}``: a faster or slower pace for a run under way."""

    model_config = ConfigDict(extra="forbid", strict=True)

    pace: float = Field(ge=0, le=60, description="Seconds of the hub's clock between steps")


class ScenarioStepState(ScenarioStepInfo):
    status: StepStatus
    detail: str | None = Field(default=None, description="Why it failed, or what it found")
    ms: float | None = None
    messages: list[str] = Field(default_factory=list, description="X-Road message ids exchanged during the step")
    wait_s: float | None = Field(
        default=None, description="wait: the seconds of the hub's clock the step waits, known as it starts"
    )
    explanation: Text | None = Field(
        default=None, description="What happened, in plain words for a room (detail keeps the raw developer text)"
    )


class ScenarioRunInfo(BaseModel):
    id: int
    scenario: str
    title: Text
    state: RunState
    step_mode: bool
    current: int | None = Field(description="The step running or waiting for next; null when done")
    variables: dict[str, Any]
    steps: list[ScenarioStepState]
    started_ms: int
    ended_ms: int | None = None
    cleanup: list[str] = Field(
        default_factory=list,
        description="What the run left changed and the hub undid: fault ids, and tier:SERVICE for a tier put back",
    )
    pace: float = Field(default=0, description="Seconds of the hub's clock between steps (0: at once)")
    paused: bool = False
    session: int = Field(default=1, description="The training session the run belongs to (see POST /api/v1/reset)")
    lesson: Text | None = Field(default=None, description="What this shows: the scenario's paragraph for the trainer")


class ScenarioRunList(BaseModel):
    items: list[ScenarioRunInfo]


class GlossaryText(BaseModel):
    name: str
    meaning: str = Field(description="One plain sentence")


class GlossaryEntry(BaseModel):
    code: str = Field(description="A platform error type (X-Road-Error) or a native code")
    kind: Literal["platform", "native"]
    system: str | None = Field(description="The simulated system whose native code this is; null for platform types")
    field: str | None = Field(default=None, description="The native field carrying the code (errorCode, KetQua...)")
    vi: GlossaryText
    en: GlossaryText


class Glossary(BaseModel):
    items: list[GlossaryEntry]


class SessionInfo(BaseModel):
    """A training session: ``POST /api/v1/reset`` starts the next; the dashboard shows its messages only
    (``GET /api/v1/messages?since=started_ms``)."""

    session: int
    started_ms: int
