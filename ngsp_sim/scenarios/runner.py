"""Running a scenario inside the hub: each call goes through the hub's pipeline as the actor's client
subsystem (validated, routed, logged and published like any connector's request), faults go through
the registry like the admin API's, and ``wait`` steps watch the live feed.

A run publishes its progress on the feed as ``scenario`` events, which the dashboard and
``ngsp-sim scenario run`` follow. In step mode the run waits for :meth:`ScenarioRun.next` before each
step, for ``step_timeout`` seconds of the hub's clock at most: a run nobody advances (its trainer gone,
its terminal closed) ends ``abandoned`` rather than holding its faults forever. A run that ends (passed,
failed, stopped or abandoned) clears the faults it injected and did not clear.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from adapters.edxml import build_edoc, build_status
from adapters.payment import sign_init
from ngsp_sim.clock import Clock
from ngsp_sim.monitoring.feed import Event, EventFeed, Listener
from ngsp_sim.registry.changes import ChangeError
from ngsp_sim.scenarios.model import VARIABLE, Scenario, Step
from ngsp_sim.scenarios.values import StepFailed, check_fields, pick
from schemas.scenarios import ScenarioRunInfo, ScenarioStepState, Text

__all__ = ["Answer", "ScenarioRun", "ScenarioRuns", "step_info"]

KEEP_RUNS = 20
STEP_TIMEOUT = 900.0
"""Seconds a step-mode run waits for its next step before it ends abandoned (``--scenario-step-timeout``)."""
Apply = Callable[[str, Any, str], Awaitable[Any]]
"""Record a registry change: (op, payload, actor), as the admin API does."""


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


Send = Callable[[str, str, str, dict[str, str], bytes, str], Awaitable[Answer]]
Reset = Callable[[str], bool]
"""Close a provider's circuit breaker; False when it has none yet."""
"""Send a request through the hub: (client, method, service, query, body, content type)."""


def substitute(value: Any, variables: Mapping[str, Any]) -> Any:
    """``value`` with every ``${name}`` replaced; a whole-string ``${name}`` keeps the value's type."""
    if isinstance(value, str):
        whole = VARIABLE.fullmatch(value)
        try:
            if whole:
                return variables[whole[1]]
            return VARIABLE.sub(lambda m: str(variables[m[1]]), value)
        except KeyError as exc:
            raise StepFailed(f"variable ${{{exc.args[0]}}} has no value yet") from None
    if isinstance(value, dict):
        return {substitute(k, variables): substitute(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, variables) for v in value]
    return value


def step_info(index: int, step: Step, actors: Mapping[str, str]) -> dict[str, Any]:
    """What the dashboard shows of a step before it runs."""
    return {
        "index": index,
        "action": step.action,
        "title": step.label().model_dump(),
        "say": step.say.model_dump() if step.say else None,
        "service": step.call,
        "client": actors.get(step.as_) if step.as_ else None,
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
    _faults: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
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
        )

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
                    if self.step_mode and not await self._next_step_given(index):
                        self.state = "abandoned"
                        self.steps[index].detail = (
                            f"nobody took this step within {self.step_timeout:g} s; the run ended and its faults "
                            "were cleared"
                        )
                        break
                    self.state, self.steps[index].status = "running", "running"
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
                await self._clear_left_faults()
                self.current, self.ended_ms = None, int(self.clock.now() * 1000)
                self._publish()

    async def _next_step_given(self, index: int) -> bool:
        """Wait for :meth:`next`; False when ``step_timeout`` passed first. The gate is cleared once
        passed, not before waiting: a ``next`` that came before the run's task started counts."""
        deadline = asyncio.ensure_future(self.clock.sleep(self.step_timeout))
        await asyncio.sleep(0)  # the deadline's clock starts before anyone can see the run waiting
        self.state, self.steps[index].status = "waiting", "waiting"
        self._publish(index)
        given = asyncio.ensure_future(self._gate.wait())
        try:
            await asyncio.wait({given, deadline}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            deadline.cancel()
            given.cancel()
        passed = self._gate.is_set()
        self._gate.clear()
        return passed

    async def _run_step(self, index: int, step: Step, listener: Listener) -> bool:
        state = self.steps[index]
        first_event = self.feed.recent[-1].id if self.feed.recent else 0
        started = time.perf_counter()
        try:
            state.detail = await self._do(step, listener)
            state.status = "passed"
        except StepFailed as exc:
            state.status, state.detail = "failed", str(exc)
        state.ms = round((time.perf_counter() - started) * 1000, 1)
        during = [e.data.get("messageId") for e in self.feed.recent if e.id > first_event and e.kind == "message"]
        state.messages = [m for m in during if m]
        return state.status == "passed"

    async def _do(self, step: Step, listener: Listener) -> str | None:
        if step.call is not None:
            return await self._call(step)
        if step.wait is not None and step.wait.seconds is not None:
            await self.clock.sleep(step.wait.seconds)
            return f"{step.wait.seconds:g} s of the hub's clock passed"
        if step.wait is not None and step.wait.kind is not None:
            match = substitute(step.wait.match, self.variables)
            event = await self._wait(step.wait.kind, match, step.wait.timeout, listener)
            self._save(step, event.data)
            return f"event {event.id}: {step.wait.kind} {_brief(event.data)}"
        if step.fault is not None:
            payload = substitute(step.fault, self.variables)
            await self._change("put_fault", payload)
            self._faults.append(str(payload["id"]))
            return f"{payload['kind']} on {payload.get('target')}"
        if step.reset_circuit is not None:
            provider = substitute(step.reset_circuit, self.variables)
            if not self.reset(provider):
                raise StepFailed(f"{provider} is not a provider of this hub: it has no circuit to close")
            return "closed"
        if step.clear is not None:
            await self._change("delete_fault", {"id": step.clear})
            with contextlib.suppress(ValueError):
                self._faults.remove(step.clear)
            return None
        return None

    async def _change(self, op: str, payload: Any) -> None:
        try:
            await self.apply(op, payload, f"scenario:{self.scenario.name}#{self.id}")
        except ChangeError as exc:
            raise StepFailed(f"the hub refused {op}: {exc.message}") from None

    async def _call(self, step: Step) -> str:
        client = self.scenario.actors[str(step.as_)].client
        service = substitute(step.call, self.variables)
        query = {str(k): str(v) for k, v in substitute(step.query, self.variables).items()}
        content_type, body = "application/json", b""
        if step.edoc is not None:
            e = substitute(step.edoc.model_dump(by_alias=True), self.variables)
            body = build_edoc(
                e["from"],
                e["to"],
                number=e["number"],
                notation=e["notation"],
                date=e["date"],
                subject=e["subject"],
                signer=e["signer"],
            )
            content_type = "text/xml"
        elif step.edoc_status is not None:
            e = substitute(step.edoc_status.model_dump(by_alias=True), self.variables)
            body = build_status(e["document"], e["from"], e["code"], e["timestamp"], e["description"])
            content_type = "text/xml"
        elif step.body is not None:
            data = substitute(step.body, self.variables)
            if step.payment_secret is not None and isinstance(data, dict):
                data["MaXacThuc"] = sign_init(data, str(substitute(step.payment_secret, self.variables)))
            body = orjson.dumps(data)
        answer = await self.send(client, step.http_method, service, query, body, content_type)
        data = answer.data()
        expect = step.expect
        want_status = expect.status if expect is not None else 200
        error = answer.headers.get("X-Road-Error")
        if answer.status != want_status:
            why = f" {error}: {_brief(data)}" if error else f": {_brief(data)}"
            raise StepFailed(f"expected status {want_status}, the hub answered {answer.status}{why}")
        if expect is not None and expect.error is not None and error != expect.error:
            raise StepFailed(f"expected X-Road-Error {expect.error}, got {error or 'none'}")
        if expect is not None and expect.fields:
            check_fields(data, substitute(expect.fields, self.variables))
        self._save(step, data)
        return f"{answer.status}{' ' + error if error else ''}: {_brief(data)}"

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
                    if i not in self._used and event.kind == kind and _matches(event.data, match):
                        self._used.add(i)
                        return event
                if deadline.done():
                    raise StepFailed(f"no {kind} event matching {_brief(match)} within {timeout:g} s")
                arrival = asyncio.ensure_future(listener.next())
                done, _ = await asyncio.wait({arrival, deadline}, return_when=asyncio.FIRST_COMPLETED)
                if arrival in done:
                    self._seen.append(arrival.result())
                else:
                    arrival.cancel()
        finally:
            deadline.cancel()

    async def _clear_left_faults(self) -> None:
        for fault_id in list(self._faults):
            with contextlib.suppress(ChangeError):
                await self.apply("delete_fault", {"id": fault_id}, f"scenario:{self.scenario.name}#{self.id}")
                self.cleanup.append(fault_id)
        self._faults.clear()


def _matches(data: Mapping[str, Any], match: Mapping[str, Any]) -> bool:
    try:
        check_fields(data, match)
    except StepFailed:
        return False
    return True


def _brief(data: Any, limit: int = 160) -> str:
    text = orjson.dumps(data).decode() if data is not None else "(no body)"
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ScenarioRuns:
    """The scenario runs of one hub: numbered from 1 (the ``run`` variable), the last few kept."""

    def __init__(
        self, send: Send, apply: Apply, reset: Reset, feed: EventFeed, clock: Clock, step_timeout: float = STEP_TIMEOUT
    ) -> None:
        self._send, self._apply, self._reset, self._feed, self._clock = send, apply, reset, feed, clock
        self.step_timeout = step_timeout
        self.runs: dict[int, ScenarioRun] = {}
        self._count = 0

    def start(
        self, scenario: Scenario, *, step_mode: bool = False, overrides: Mapping[str, Any] | None = None
    ) -> ScenarioRun:
        self._count += 1
        day = datetime.fromtimestamp(self._clock.now(), UTC)
        variables = {
            "run": f"{self._count % 10000:04d}",
            "today": f"{day:%Y%m%d}",
            "yymmdd": f"{day:%y%m%d}",
            **scenario.variables,
            **(overrides or {}),
        }
        run = ScenarioRun(
            self._count,
            scenario,
            step_mode,
            variables,
            self._send,
            self._apply,
            self._reset,
            self._feed,
            self._clock,
            self.step_timeout,
        )
        self.runs[run.id] = run
        for old in sorted(self.runs)[:-KEEP_RUNS]:
            if self.runs[old].ended_ms is not None:
                del self.runs[old]
        run.task = asyncio.create_task(run.execute(), name=f"scenario-{run.id}")
        return run

    async def stop_all(self) -> None:
        tasks = [r.task for r in self.runs.values() if r.task is not None and not r.task.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
