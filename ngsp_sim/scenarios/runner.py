"""Running a scenario inside the hub: each call goes through the hub's pipeline as the actor's client
subsystem (validated, routed, logged and published like any connector's request), faults go through
the registry like the admin API's, and ``wait`` steps watch the live feed.

A run publishes its progress on the feed as ``scenario`` events, which the dashboard and
``ngsp-sim scenario run`` follow: one as each step starts (its narration with it) and one as it ends
(with its plain-language ``explanation``). A run may be paced (:mod:`.pacing`: seconds of the hub's
clock between steps), paused and resumed, by whoever follows it.

In step mode the run waits for :meth:`ScenarioRun.next` before each step, for ``step_timeout`` seconds
of the hub's clock at most: a run nobody advances (its trainer gone, its terminal closed) ends
``abandoned`` rather than holding its faults forever; so does a run paused that long. A run that ends
(passed, failed, stopped or abandoned) undoes what it changed (:mod:`.effects`): the faults it injected
and did not clear, the tiers it assigned.

Time inside a step is the story's own (a ``repeat``-ed call sends its calls at once, a ``wait`` waits
what it says); the pace only adds time between steps, so a story tells the same at any pace.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from ngsp_sim.clock import Clock, ControllableClock
from ngsp_sim.monitoring.feed import Event, EventFeed, Listener
from ngsp_sim.scenarios import explain
from ngsp_sim.scenarios.calls import request_body
from ngsp_sim.scenarios.effects import Apply, RunEffects, TierOf, no_tier
from ngsp_sim.scenarios.explain import Names
from ngsp_sim.scenarios.model import Scenario, Step
from ngsp_sim.scenarios.pacing import Pacer, first_of
from ngsp_sim.scenarios.values import StepFailed, brief, check_fields, fault_type, matches, pick, substitute
from schemas.clock import ClockInfo
from schemas.scenarios import ScenarioRunInfo, ScenarioStepState, Text

__all__ = ["STEP_TIMEOUT", "Answer", "Reset", "ScenarioRun", "Send", "no_names", "step_info"]

STEP_TIMEOUT = 900.0
"""Seconds a step-mode run waits for its next step before it ends abandoned (``--scenario-step-timeout``)."""


@dataclass
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def data(self) -> Any:
        try:
            return orjson.loads(self.body) if self.body else None
        except orjson.JSONDecodeError:
            return None


Send = Callable[[str, str, str, dict[str, str], bytes, str, str], Awaitable[Answer]]
"""Send a request through the hub: (client, method, service, query, body, content type, wire style)."""
Reset = Callable[[str], bool]
"""Close a provider's circuit breaker; False when it has none yet."""


def no_names(subsystem: str) -> Text | None:
    return None


def step_info(index: int, step: Step, actors: Mapping[str, str]) -> dict[str, Any]:
    """What the dashboard shows of a step before it runs."""
    return {
        "index": index,
        "action": step.action,
        "title": step.label().model_dump(),
        "say": step.say.model_dump() if step.say else None,
        "service": step.throttle.service if step.throttle else step.call,
        "client": actors.get(step.as_) if step.as_ else None,
        "tier": step.throttle.tier if step.throttle else None,
        "repeat": step.repeat,
    }


@dataclass
class ScenarioRun:
    id: int
    scenario: Scenario
    step_mode: bool
    variables: dict[str, Any]
    send: Send
    apply: Apply
    reset: Reset
    feed: EventFeed
    clock: Clock
    step_timeout: float = STEP_TIMEOUT
    pace: float = 0.0
    session: int = 1
    names: Names = no_names
    tier_of: TierOf = no_tier
    steps: list[ScenarioStepState] = field(default_factory=list)
    state: str = "running"
    current: int | None = None
    started_ms: int = 0
    ended_ms: int | None = None
    cleanup: list[str] = field(default_factory=list)
    task: asyncio.Task[None] | None = None
    _gate: asyncio.Event = field(default_factory=asyncio.Event)
    _seen: list[Event] = field(default_factory=list)
    _used: set[int] = field(default_factory=set)
    _retry_after: float | None = None
    pacer: Pacer = field(init=False)
    effects: RunEffects = field(init=False)

    def __post_init__(self) -> None:
        self.pacer = Pacer(self.clock, self.pace, self.step_timeout)
        self.effects = RunEffects(self.apply, self.tier_of, f"scenario:{self.scenario.name}#{self.id}")
        actors = {name: a.client for name, a in self.scenario.actors.items()}
        self.steps = [
            ScenarioStepState(**step_info(i, s, actors), status="pending") for i, s in enumerate(self.scenario.steps)
        ]
        self.started_ms = int(self.clock.now() * 1000)
        if self.step_mode:  # as the run will be the moment its task starts: waiting before the first step
            self.state, self.current, self.steps[0].status = "waiting", 0, "waiting"

    def info(self) -> ScenarioRunInfo:
        return ScenarioRunInfo(
            id=self.id,
            scenario=self.scenario.name,
            title=Text(**self.scenario.title.model_dump()),
            state=self.state,
            step_mode=self.step_mode,
            current=self.current,
            variables=self.variables,
            steps=self.steps,
            started_ms=self.started_ms,
            ended_ms=self.ended_ms,
            cleanup=self.cleanup,
            pace=self.pacer.pace,
            paused=self.pacer.paused,
            session=self.session,
            lesson=Text(**self.scenario.lesson.model_dump()) if self.scenario.lesson else None,
        )

    @property
    def live(self) -> bool:
        return self.ended_ms is None

    def control(self, *, paused: bool | None = None, pace: float | None = None) -> None:
        """Pause, resume or change the pace of a live run; every follower hears of it."""
        if paused is True:
            self.pacer.pause()
        elif paused is False:
            self.pacer.resume()
        if pace is not None:
            self.pacer.set_pace(pace)
        self._publish()

    def next(self) -> bool:
        """Let a step-mode run take its next step; False when it is not waiting for one."""
        if self.state != "waiting":
            return False
        self._gate.set()
        return True

    def _publish(self, index: int | None = None) -> None:
        data: dict[str, Any] = {
            "run": self.id,
            "scenario": self.scenario.name,
            "state": self.state,
            "current": self.current,
            "pace": self.pacer.pace,
            "paused": self.pacer.paused,
            "session": self.session,
        }
        if index is not None:
            data["step"] = self.steps[index].model_dump()
        self.feed.publish("scenario", data)

    async def execute(self) -> None:
        async with self.feed.listen() as listener:
            try:
                for index, step in enumerate(self.scenario.steps):
                    self.current = index
                    if step.say is not None:
                        with contextlib.suppress(StepFailed):
                            self.steps[index].say = Text(**substitute(step.say.model_dump(), self.variables))
                    given = await (self._next_step_given(index) if self.step_mode else self.pacer.before_step(index))
                    if not given:
                        self.state = "abandoned"
                        self.steps[index].detail = (
                            f"nobody took this step within {self.step_timeout:g} s; the run ended and its faults "
                            "were cleared"
                        )
                        self.steps[index].explanation = Text(
                            vi=f"Không ai tiếp tục kịch bản trong {self.step_timeout:g} giây: lượt chạy kết thúc, "
                            "các sự cố giả lập được gỡ bỏ.",
                            en=f"Nobody went on with the run for {self.step_timeout:g} s: it ended and its simulated "
                            "incidents were cleared.",
                        )
                        break
                    self.state, self.steps[index].status = "running", "running"
                    self.steps[index].wait_s = self._waits(step)
                    self._publish(index)
                    passed = await self._run_step(index, step, listener)
                    self._publish(index)
                    if not passed:
                        self.state = "failed"
                        break
                else:
                    self.state = "passed"
            except asyncio.CancelledError:
                self.state = "stopped"
            finally:
                for later in self.steps:
                    if later.status in ("pending", "waiting", "running"):
                        later.status = "skipped"
                self.cleanup += await self.effects.undo()
                self.current, self.ended_ms = None, int(self.clock.now() * 1000)
                self._publish()

    async def _next_step_given(self, index: int) -> bool:
        """Wait for :meth:`next`; False when ``step_timeout`` passed first. The gate is cleared once
        passed, not before waiting: a ``next`` that came before the run's task started counts."""
        deadline = asyncio.ensure_future(self.clock.sleep(self.step_timeout))
        await asyncio.sleep(0)  # the deadline's clock starts before anyone can see the run waiting
        self.state, self.steps[index].status = "waiting", "waiting"
        self._publish(index)
        await first_of(asyncio.ensure_future(self._gate.wait()), deadline)
        passed = self._gate.is_set()
        self._gate.clear()
        return passed

    async def _run_step(self, index: int, step: Step, listener: Listener) -> bool:
        state = self.steps[index]
        first_event = self.feed.recent[-1].id if self.feed.recent else 0
        started = time.perf_counter()
        try:
            state.detail = await self._do(step, listener, state)
            state.status = "passed"
        except StepFailed as exc:
            state.status, state.detail = "failed", str(exc)
            state.explanation = state.explanation or explain.failed(str(exc))
        state.ms = round((time.perf_counter() - started) * 1000, 1)
        during = [e.data.get("messageId") for e in self.feed.recent if e.id > first_event and e.kind == "message"]
        state.messages = [m for m in during if m]
        return state.status == "passed"

    def _waits(self, step: Step) -> float | None:
        """The seconds of the hub's clock a step waits for, known as it starts (followers may count down)."""
        if step.wait is None:
            return None
        return self._retry_after if step.wait.retry_after else step.wait.seconds

    async def _do(self, step: Step, listener: Listener, state: ScenarioStepState) -> str | None:
        if step.call is not None:
            return await self._call(step, state)
        if step.wait is not None and step.wait.for_time:
            seconds = self._waits(step)
            if seconds is None:
                raise StepFailed("the previous answer had no Retry-After to wait for")
            await self.clock.sleep(seconds)
            state.explanation = explain.waited(seconds)
            return f"{seconds:g} s of the hub's clock passed"
        if step.advance_seconds is not None:
            if not isinstance(self.clock, ControllableClock):
                raise StepFailed("this hub runs on the system clock, which cannot be moved")
            self.clock.advance(step.advance_seconds)
            moved = self.clock.state()
            info = ClockInfo.at(moved.now, frozen=moved.frozen, offset=moved.offset, can_resume=moved.can_resume)
            self.feed.publish("clock", info.model_dump())
            state.explanation = explain.advanced(step.advance_seconds, self.clock.now())
            return f"the hub's clock moved on {step.advance_seconds:g} s"
        if step.wait is not None and step.wait.kind is not None:
            match = substitute(step.wait.match, self.variables)
            state.explanation = explain.event(step.wait.kind, found=False)
            event = await self._wait(step.wait.kind, match, step.wait.timeout, listener)
            self._save(step, event.data)
            state.explanation = explain.event(step.wait.kind, found=True)
            return f"event {event.id}: {step.wait.kind} {brief(event.data)}"
        if step.fault is not None:
            payload = substitute(step.fault, self.variables)
            await self.effects.inject(payload)
            state.explanation = explain.injected(str(payload.get("target")), str(payload["kind"]), self.names)
            return f"{payload['kind']} on {payload.get('target')}"
        if step.reset_circuit is not None:
            provider = substitute(step.reset_circuit, self.variables)
            if not self.reset(provider):
                raise StepFailed(f"{provider} is not a provider of this hub: it has no circuit to close")
            state.explanation = explain.closed(provider, self.names)
            return "closed"
        if step.clear is not None:
            await self.effects.clear(step.clear)
            state.explanation = explain.cleared(step.clear)
            return None
        if step.throttle is not None:
            service = substitute(step.throttle.service, self.variables)
            await self.effects.throttle(service, step.throttle.tier)
            state.explanation = explain.throttled(service, step.throttle.tier, self.names)
            return f"tier {step.throttle.tier} on {service} until the run ends"
        state.explanation = state.say  # narration only: the words are the story
        return None

    async def _call(self, step: Step, state: ScenarioStepState) -> str:
        actor = self.scenario.actors[str(step.as_)]
        client = actor.client
        service = substitute(step.call, self.variables)
        query = {str(k): str(v) for k, v in substitute(step.query, self.variables).items()}
        content_type, body = request_body(step, self.variables)
        expect = step.expect
        wanted = expect.status if expect is not None else 200
        statuses = wanted if isinstance(wanted, list) else [wanted] * step.repeat
        errors = expect.error if expect is not None and isinstance(expect.error, list) else None
        found: list[str] = []
        for number, want_status in enumerate(statuses, 1):  # one after the other, at once: no pace between
            answer = await self.send(client, step.http_method, service, query, body, content_type, step.style)
            retry = answer.headers.get("Retry-After")
            self._retry_after = float(retry) if retry and retry.isdigit() else None
            data = answer.data()
            error = answer.headers.get("X-Road-Error") or fault_type(data)
            who = Text(**actor.name.model_dump()) if actor.name else self.names(client) or Text(vi=client, en=client)
            state.explanation = explain.call(who, service, answer.status, error, data, self.names, step.style)
            which = f"call {number} of {step.repeat}: " if step.repeat > 1 else ""
            if answer.status != want_status:
                why = f" {error}: {brief(data)}" if error else f": {brief(data)}"
                raise StepFailed(f"{which}expected status {want_status}, the hub answered {answer.status}{why}")
            refused = step.repeat > 1 and want_status >= 400  # a repeated call: error for refusals, fields else
            single = expect.error if expect is not None and isinstance(expect.error, str) else None
            want_error = errors[number - 1] if errors is not None else single
            if want_error is not None and (refused or step.repeat == 1 or errors is not None) and error != want_error:
                raise StepFailed(f"{which}expected X-Road-Error {want_error}, got {error or 'none'}")
            if expect is not None and expect.fields and not refused:
                check_fields(data, substitute(expect.fields, self.variables))
            self._save(step, data)
            found.append(f"{answer.status}{' ' + error if error else ''}: {brief(data)}")
        return "; ".join(found)

    def _save(self, step: Step, data: Any) -> None:
        for name, path in step.save.items():
            self.variables[name] = pick(data, path)

    async def _wait(self, kind: str, match: Mapping[str, Any], timeout: float, listener: Listener) -> Event:
        deadline = asyncio.ensure_future(self.clock.sleep(timeout))
        try:
            while True:
                while not listener.queue.empty():
                    self._seen.append(listener.queue.get_nowait())
                for i, event in enumerate(self._seen):
                    if i not in self._used and event.kind == kind and matches(event.data, match):
                        self._used.add(i)
                        return event
                if deadline.done():
                    raise StepFailed(f"no {kind} event matching {brief(match)} within {timeout:g} s")
                arrival = asyncio.ensure_future(listener.next())
                done, _ = await asyncio.wait({arrival, deadline}, return_when=asyncio.FIRST_COMPLETED)
                if arrival in done:
                    self._seen.append(arrival.result())
                else:
                    arrival.cancel()
        finally:
            deadline.cancel()
