"""The scenario format: a YAML story of agencies calling each other through the hub.

A scenario names its **actors** (client subsystems), its **variables** (defaults a run may override),
and its **steps**. A step does one thing and may carry narration (``say``, Vietnamese and English)::

    - say: {vi: "...", en: "..."}                 # narration only: a pause for the presenter
    - call: VN/GOV/000.00.00.G15/HOTICH/dangKyHoTich
      as: motcua                                  # an actor
      style: gateway                              # optional: the NGSP gateway style (default xroad)
      body: {maHoSo: "000.00.00.H29-251121-${run}", ...}
      expect: {status: 200, fields: {status: 1}}  # dotted paths into the JSON answer
      save: {child: soDinhDanhMoi}                # variables for later steps
    - wait: {kind: event, match: {event: dossier.status, MaHoSo: "${dossier}"}, timeout: 10}
    - fault: {id: outage, target: VN/GOV/000.00.00.G01/CSDLQGDC, kind: outage}
    - clear: outage
    - reset_circuit: VN/GOV/000.00.00.G01/CSDLQGDC    # close its circuit breaker (forget failures)
    - throttle: {service: VN/GOV/000.00.00.G22/DMDC/danhMucDanToc, tier: provider-guard}  # for this run
    - call: ...                                   # several calls at once, whatever the pace:
      repeat: 4                                   #   statuses in order; error checked on the refused
      expect: {status: [200, 200, 200, 429], error: Client.Throttled}   # ones, fields on the served ones
    - wait: {retry_after: true}                   # as long as the last answer's Retry-After says
    - advance: 2d                                 # move the platform clock on (30s, 5m, 2h, 2d)

A run undoes what it changed when it ends (passed, failed, stopped, abandoned or reset): the faults it
injected and did not clear, the tiers it assigned. Time inside a step (``repeat``, ``wait``) is the
story's; the pace only adds time between steps, so a story holds at any pace.

``${name}`` is replaced by a variable's value (a whole-string ``${name}`` keeps the value's type).
Built-in variables: ``run`` (this hub's scenario-run number, four digits), ``today`` (YYYYMMDD) and
``yymmdd``, both from the hub's clock. Every problem of a file is reported as ``file:line: path: ...``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ngsp_sim.clock import parse_duration
from ngsp_sim.errors import ScenarioError
from ngsp_sim.identifiers import ServiceId, SubsystemId
from ngsp_sim.registry.spec import FaultSpec, LocalizedName
from ngsp_sim.validation.yaml_source import dotted, parse, sentence, validation_problems, where
from schemas.clock import MAX_ADVANCE

__all__ = [
    "BUILTIN_VARIABLES",
    "Actor",
    "Scenario",
    "Step",
    "load_scenario",
    "shipped",
    "shipped_scenario",
    "variables_in",
]

BUILTIN_VARIABLES = ("run", "today", "yymmdd")
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
ACTIONS = ("call", "wait", "fault", "clear", "reset_circuit", "throttle", "advance")
CALL_ONLY = ("as_", "method", "style", "body", "query", "edoc", "edoc_status", "payment_secret", "expect", "repeat")
FEED_KINDS = ("message", "event", "edoc", "delivery")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _service(value: str) -> str:
    if "${" not in value:
        ServiceId.parse(value)
    return value


class Actor(_Spec):
    client: str = Field(description="The client subsystem this actor calls as (VN/GOV/MEMBER/SUBSYSTEM)")
    name: LocalizedName | None = None

    @model_validator(mode="after")
    def _identifier(self) -> Actor:
        SubsystemId.parse(self.client)
        return self


Status = Annotated[int, Field(ge=100, le=599)]


class Expect(_Spec):
    status: Status | list[Status] = Field(
        default=200, description="The HTTP status the hub answers; for a repeated call, one per call in order"
    )
    error: str | list[str | None] | None = Field(
        default=None, description="The X-Road-Error the hub answers (a failure); for a repeated call, one per call"
    )
    fields: dict[str, Any] = Field(default_factory=dict, description="Dotted path in the JSON answer -> value")


class Organ(_Spec):
    OrganId: str
    OrganName: str


class EdocBody(_Spec):
    """An edXML document (``sendEdoc``), built as the exchange axis expects it."""

    sender: Organ = Field(alias="from")
    to: list[Organ] = Field(min_length=1)
    number: str
    notation: str
    date: str = Field(description="Promulgation date, YYYY/MM/DD")
    subject: str
    signer: str = "Nguyễn Văn A"
    recall: bool = Field(
        default=False, description="Recall the document sent with this number, notation and date (BussinessDocType 1)"
    )


class EdocStatusBody(_Spec):
    """An edXML status message (``updateStatus``) about a document."""

    document: dict[str, str] = Field(description="ResponseFor: OrganId, Code, PromulgationDate, DocumentId")
    sender: Organ = Field(alias="from")
    code: str = Field(pattern=r"^(\$\{\w+\}|\d{2})$", description="StatusCode, e.g. 03 accepted")
    timestamp: str
    description: str = ""


class Wait(_Spec):
    """Wait for an event of the live feed (``kind`` and ``match``), or for time (``seconds``)."""

    kind: Literal["message", "event", "edoc", "delivery"] | None = Field(default=None, description="Feed kind")
    match: dict[str, Any] = Field(default_factory=dict, description="Dotted path in the event -> value")
    timeout: float = Field(default=10, gt=0, le=600, description="Seconds of the hub's clock")
    seconds: float | None = Field(default=None, gt=0, le=3600, description="Or: let this much hub time pass")
    retry_after: bool = Field(default=False, description="Or: as long as the last answer's Retry-After says")

    @property
    def for_time(self) -> bool:
        return self.seconds is not None or self.retry_after

    @model_validator(mode="after")
    def _one(self) -> Wait:
        if [self.kind is not None, self.seconds is not None, self.retry_after].count(True) != 1:
            raise ValueError(
                "wait for an event (kind, match), for time (seconds) or for a Retry-After (retry_after), one of these"
            )
        if self.for_time and ({"match", "timeout"} & self.model_fields_set):
            raise ValueError("match and timeout belong to waiting for an event")
        return self


class Throttle(_Spec):
    """Assign a declared throttling tier to a service for the rest of the run (its earlier tier comes
    back when the run ends)."""

    service: str = Field(description="VN/GOV/MEMBER/SUBSYSTEM/SERVICE")
    tier: str = Field(description="A tier of the topology's tiers")

    @model_validator(mode="after")
    def _identifier(self) -> Throttle:
        _service(self.service)
        return self


class Step(_Spec):
    say: LocalizedName | None = Field(default=None, description="Narration shown as the step starts")
    title: LocalizedName | None = Field(default=None, description="A short label; generated when omitted")
    call: str | None = Field(default=None, description="A service: VN/GOV/MEMBER/SUBSYSTEM/SERVICE")
    as_: str | None = Field(default=None, alias="as", description="The actor that calls")
    method: Literal["GET", "POST"] | None = None
    style: Literal["xroad", "gateway"] = Field(
        default="xroad",
        description="xroad: /r1/... with X-Road-Client; gateway: the service's NGSP gateway address, as a "
        "caller whose access token identified it (errors come as WSO2-style faults)",
    )
    body: Any = None
    query: dict[str, Any] = Field(default_factory=dict)
    edoc: EdocBody | None = None
    edoc_status: EdocStatusBody | None = None
    payment_secret: str | None = Field(
        default=None, description="Sign the body's MaXacThuc with this payment partner secret (INIT)"
    )
    expect: Expect | None = None
    save: dict[str, str] = Field(default_factory=dict, description="Variable -> dotted path in the answer")
    wait: Wait | None = None
    fault: dict[str, Any] | None = Field(default=None, description="Inject a fault (the admin API's FaultSpec)")
    clear: str | None = Field(default=None, description="Clear the fault with this id")
    reset_circuit: str | None = Field(
        default=None, description="Close the circuit breaker of this provider subsystem (the operator's repair)"
    )
    throttle: Throttle | None = Field(default=None, description="Assign a tier to a service until the run ends")
    repeat: int = Field(default=1, ge=1, le=50, description="Send the call this many times at once")
    advance: str | int | float | None = Field(
        default=None, description="Move the platform clock forward at once: 30s, 5m, 2h, 2d (or seconds)"
    )

    @property
    def advance_seconds(self) -> float | None:
        return None if self.advance is None else parse_duration(self.advance)

    @model_validator(mode="after")
    def _one_action(self) -> Step:
        given = [a for a in ACTIONS if getattr(self, a) is not None]
        if len(given) > 1:
            raise ValueError(f"a step does one thing; this one has {' and '.join(given)}")
        if not given and self.say is None:
            raise ValueError(f"a step needs one of {', '.join(ACTIONS)}, or say (narration only)")
        if self.call is not None:
            _service(self.call)
            if self.as_ is None:
                raise ValueError("a call needs 'as': the actor that calls")
            bodies = [b for b in ("body", "edoc", "edoc_status") if getattr(self, b) is not None]
            if len(bodies) > 1:
                raise ValueError(f"a call sends one body; this one has {' and '.join(bodies)}")
            statuses = self.expect.status if self.expect is not None else 200
            listed_errors = self.expect.error if self.expect is not None else None
            for what, listed in (("statuses", statuses), ("errors", listed_errors)):
                if isinstance(listed, list) and len(listed) != self.repeat:
                    raise ValueError(f"expect lists {len(listed)} {what} for {self.repeat} call(s) (repeat)")
        else:
            stray = [f.rstrip("_") for f in CALL_ONLY if f in self.model_fields_set]
            if stray:
                raise ValueError(f"{', '.join(stray)} belong to a call step")
            if self.save and (self.wait is None or self.wait.for_time):
                raise ValueError("save belongs to a call or to waiting for an event")
        if self.advance is not None and not 0 < parse_duration(self.advance) <= MAX_ADVANCE:
            raise ValueError(f"advance: {self.advance!r} is not between 0 and a year")
        if self.fault is not None and not any(variables_in(self.fault)):
            try:
                FaultSpec.model_validate(self.fault)
            except ValidationError as exc:
                errors = exc.errors(include_url=False)
                found = "; ".join(f"{dotted(e['loc'])}: {sentence(e, FaultSpec)}" for e in errors)
                raise ValueError(f"fault: {found}") from None
        return self

    @property
    def action(self) -> str:
        return next((a for a in ACTIONS if getattr(self, a) is not None), "say")

    @property
    def http_method(self) -> str:
        if self.method is not None:
            return self.method
        sends = self.body is not None or self.edoc is not None or self.edoc_status is not None
        return "GET" if self.query and not sends else "POST"

    def label(self) -> LocalizedName:
        """The step's title, or one made from what it does."""
        if self.title is not None:
            return self.title
        if self.call is not None:
            text = f"{self.http_method} {self.call.rsplit('/', 1)[-1]} ({self.as_})"
            return LocalizedName(vi=text, en=text)
        if self.wait is not None and self.wait.seconds is not None:
            return LocalizedName(vi=f"Chờ {self.wait.seconds:g} giây", en=f"Wait {self.wait.seconds:g} s")
        if self.wait is not None and self.wait.retry_after:
            return LocalizedName(vi="Chờ theo Retry-After", en="Wait as Retry-After says")
        if self.wait is not None:
            return LocalizedName(vi=f"Chờ sự kiện {self.wait.kind}", en=f"Wait for a {self.wait.kind} event")
        if self.advance is not None:
            return LocalizedName(vi=f"Tua đồng hồ thêm {self.advance}", en=f"Move the clock on {self.advance}")
        if self.fault is not None:
            fid = self.fault.get("id")
            return LocalizedName(vi=f"Gây lỗi {fid}", en=f"Inject fault {fid}")
        if self.clear is not None:
            return LocalizedName(vi=f"Gỡ lỗi {self.clear}", en=f"Clear fault {self.clear}")
        if self.reset_circuit is not None:
            code = self.reset_circuit.rsplit("/", 1)[-1]
            return LocalizedName(vi=f"Đóng lại mạch đến {code}", en=f"Close the circuit to {code}")
        if self.throttle is not None:
            code = self.throttle.service.rsplit("/", 1)[-1]
            tier = self.throttle.tier
            return LocalizedName(vi=f"Giới hạn tần suất {code}: {tier}", en=f"Throttle {code}: {tier}")
        if self.say is not None:  # narration only: its first words
            return LocalizedName(vi=_first_words(self.say.vi), en=_first_words(self.say.en))
        return LocalizedName(vi="Thuyết minh", en="Narration")


class Scenario(_Spec):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$", description="What `scenario run NAME` takes")
    title: LocalizedName
    summary: LocalizedName | None = None
    lesson: LocalizedName | None = Field(default=None, description="What this shows: a paragraph for the trainer")
    actors: dict[str, Actor] = Field(min_length=1)
    variables: dict[str, Any] = Field(default_factory=dict)
    steps: list[Step] = Field(min_length=1)


def _first_words(text: str, limit: int = 60) -> str:
    """The first sentence of ``text``, cut at a word to ``limit`` characters: a narration's title."""
    first = text.split(". ", 1)[0].rstrip(".")
    if len(first) <= limit:
        return first
    return first[: limit - 1].rsplit(" ", 1)[0] + "…"


def variables_in(value: Any) -> Iterator[str]:
    """Every ``${name}`` used in ``value`` (strings, lists and mappings, keys included)."""
    if isinstance(value, str):
        yield from VARIABLE.findall(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from variables_in(k)
            yield from variables_in(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from variables_in(v)
    elif isinstance(value, BaseModel):
        yield from variables_in(value.model_dump(by_alias=True, exclude_none=True))


def _reference_problems(scenario: Scenario) -> Iterator[tuple[tuple[int | str, ...], str]]:
    known = set(BUILTIN_VARIABLES) | set(scenario.variables)
    for name in scenario.variables:
        if name in BUILTIN_VARIABLES:
            yield ("variables", name), f"{name!r} is a built-in variable; choose another name"
    faults: set[str] = set()
    for i, step in enumerate(scenario.steps):
        if step.as_ is not None and step.as_ not in scenario.actors:
            yield ("steps", i, "as"), f"unknown actor {step.as_!r}; declared: {', '.join(sorted(scenario.actors))}"
        used = step.model_dump(by_alias=True, exclude={"save", "title"}, exclude_none=True)
        for name in sorted(set(variables_in(used))):
            if name not in known:
                yield ("steps", i), f"variable ${{{name}}} is neither declared nor saved by an earlier step"
        known |= set(step.save)
        if step.fault is not None:
            faults.add(str(step.fault.get("id")))
        if step.clear is not None and step.clear not in faults:
            yield ("steps", i, "clear"), f"fault {step.clear!r} is not injected by an earlier step"


def load_scenario(text: str, source: str) -> Scenario:
    """Parse and check a scenario; every problem raises one :class:`ScenarioError` naming file and line."""
    data, root = parse(text, source, ScenarioError)
    if not isinstance(data, dict):
        raise ScenarioError(source, [f"{source}: expected a mapping with name, title, actors and steps"])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(source, validation_problems(exc, source, root, Scenario)) from None
    problems = [f"{where(source, root, loc)}: {msg}" for loc, msg in _reference_problems(scenario)]
    if problems:
        raise ScenarioError(source, problems)
    return scenario


@functools.cache
def _shipped() -> dict[str, tuple[Scenario, str]]:
    library = resources.files("ngsp_sim.scenarios").joinpath("library")
    found: dict[str, tuple[Scenario, str]] = {}
    for entry in sorted(library.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            text = entry.read_text(encoding="utf-8")
            scenario = load_scenario(text, f"<built-in {entry.name}>")
            found[scenario.name] = (scenario, text)
    return found


def shipped() -> dict[str, Scenario]:
    """The scenarios shipped in the package, by name, in file order."""
    return {name: scenario for name, (scenario, _) in _shipped().items()}


def shipped_scenario(name_or_path: str) -> tuple[Scenario, str]:
    """A shipped scenario by name, or a scenario file by path: (scenario, its YAML text)."""
    if name_or_path in _shipped():
        return _shipped()[name_or_path]
    path = Path(name_or_path)
    if name_or_path.endswith((".yaml", ".yml")) or path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ScenarioError(name_or_path, [f"{name_or_path}: cannot read the file: {exc.strerror}"]) from None
        return load_scenario(text, name_or_path), text
    names = ", ".join(_shipped()) or "none"
    raise ScenarioError(name_or_path, [f"no scenario named {name_or_path!r}; shipped: {names}"])
