"""Scenarios: the format's checks, every shipped scenario passing, failures, step mode, stopping, the
admin API's refusals and the reports."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from ngsp_sim.clock import ManualClock
from ngsp_sim.errors import ScenarioError
from ngsp_sim.monitoring.feed import read_events
from ngsp_sim.scenarios import load_scenario, shipped
from ngsp_sim.scenarios.pacing import MAX_PACE
from ngsp_sim.scenarios.report import junit_report, markdown_report
from ngsp_sim.scenarios.values import StepFailed, check_fields, pick
from schemas.scenarios import ScenarioRunInfo
from tests.helpers import ADMIN, MakeHub, xml_file
from tests.scenario_helpers import failures, play

HEAD = """name: my-test
title: {vi: "Thử", en: "Test"}
actors:
  motcua: {client: VN/GOV/000.00.00.H29/MOTCUA}
"""
LOOKUP = """  - call: VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan
    as: motcua
    body: {MaYeuCau: "YC-1", MaDVC: "1.001612", MaTichHop: "037", MaCanBo: c, MaDonVi: "000.00.00.H29",
           SoDinhDanh: "079090001234"}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(text, "my.yaml")
    return caught.value.problems


def test_shipped_scenarios_cover_the_stories_trainers_tell() -> None:
    assert list(shipped()) == [
        "identity-check",
        "birth-residence-insurance",
        "death-registration",
        "dossier-sync-dvcqg",
        "online-fee-payment",
        "edxml-document",
        "population-outage",
        "edxml-recall",
        "schema-check",
        "circuit-breaker",
        "throttling",
        "wire-styles",
        "global-conf-expired",
        "ocsp-stale",
        "timestamping-down",
        "certificate-revoked",
        "lgsp-tier",
    ]
    for scenario in shipped().values():
        assert scenario.title.vi != scenario.title.en and scenario.summary is not None
        assert scenario.lesson is not None and scenario.lesson.vi != scenario.lesson.en


def test_problems_name_file_line_and_path() -> None:
    found = problems(
        HEAD
        + """steps:
  - call: VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan
    as: nobody
  - wait: {kind: event}
    clear: x
  - body: {a: 1}
  - call: VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan
    as: motcua
    body: {SoDinhDanh: "${who}"}
  - fault: {id: f1, target: VN/GOV/000.00.00.G01/CSDLQGDC, kind: melt}
"""
    )
    assert found == [
        "my.yaml:8: steps[1]: a step does one thing; this one has wait and clear",
        "my.yaml:10: steps[2]: a step needs one of call, wait, fault, clear, reset_circuit, throttle, advance, or "
        "say (narration only)",
        "my.yaml:14: steps[4]: fault: kind: 'melt' is not one of latency, error, timeout, reset, malformed, "
        "schema_violation, outage, globalconf, ocsp, timestamping, certificate",
    ]
    refs = problems(
        HEAD
        + """steps:
  - call: VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan
    as: nobody
  - call: VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan
    as: motcua
    body: {SoDinhDanh: "${who}"}
  - clear: never-set
"""
    )
    assert refs == [
        "my.yaml:7: steps[0].as: unknown actor 'nobody'; declared: motcua",
        "my.yaml:8: steps[1]: variable ${who} is neither declared nor saved by an earlier step",
        "my.yaml:11: steps[2].clear: fault 'never-set' is not injected by an earlier step",
    ]


def test_invalid_yaml_and_wrong_shapes_are_refused_with_their_line() -> None:
    assert problems("name: [unclosed\n")[0].startswith("my.yaml:2:1: not valid YAML")
    assert problems("- a list\n") == ["my.yaml: expected a mapping with name, title, actors and steps"]
    wait = problems(HEAD + "steps:\n  - wait: {seconds: 3, match: {a: 1}}\n")
    assert wait == ["my.yaml:6: steps[0].wait: match and timeout belong to waiting for an event"]


def test_pick_and_check_fields_say_what_is_wrong() -> None:
    data = {"a": {"b": [{"c": 1}, {"c": 2}]}, "n": 1}
    assert pick(data, "a.b.-1.c") == 2
    check_fields(data, {"a.b.0.c": 1, "n": 1.0})
    with pytest.raises(StepFailed, match=r"a\.b\.0\.c: expected 2, got 1"):
        check_fields(data, {"a.b.0.c": 2})
    with pytest.raises(StepFailed, match=r"a\.x: no 'x' at a \(found keys b\)"):
        pick(data, "a.x")
    with pytest.raises(StepFailed, match=r"expected \"1\", got 1"):
        check_fields(data, {"n": "1"})  # a string is not a number
    with pytest.raises(StepFailed, match="expected true, got 1"):
        check_fields(data, {"n": True})


@pytest.mark.parametrize("pace", [0, 5, MAX_PACE])
@pytest.mark.parametrize("name", list(shipped()))
async def test_every_shipped_scenario_passes_at_any_pace(
    make_hub: MakeHub, clock: ManualClock, name: str, pace: float
) -> None:
    """The same story at once, at a trainer's few seconds a step, and at the slowest pace, longer than
    any window or cool-down of a story (the hub's clock passes the pace between steps)."""
    hub = await make_hub()
    run = await play(hub, clock, name=name, pace=pace)
    assert (run["state"], failures(run)) == ("passed", [])
    assert all(s["status"] == "passed" for s in run["steps"])
    calls = [s for s in run["steps"] if s["action"] == "call"]
    assert calls and all(s["messages"] for s in calls)  # each call is an exchange of the message log


async def test_all_scenarios_replay_on_one_hub_twice(make_hub: MakeHub, clock: ManualClock) -> None:
    hub = await make_hub()
    for round_ in (1, 2):
        for name in shipped():
            run = await play(hub, clock, name=name)
            assert (name, round_, run["state"], failures(run)) == (name, round_, "passed", [])
    faults = await (await hub.get("/api/v1/faults", headers=ADMIN)).json()
    assert faults["items"] == []


async def test_the_outage_replays_back_to_back_with_its_circuit_closed_again(
    make_hub: MakeHub, clock: ManualClock
) -> None:
    hub = await make_hub()
    for _ in range(3):  # without the reset, the second run's failures open the breaker (4 of 8 calls in 30 s)
        run = await play(hub, clock, name="population-outage")
        assert (run["state"], failures(run)) == ("passed", [])
    circuits = (await (await hub.get("/api/v1/circuits", headers=ADMIN)).json())["items"]
    assert [c["state"] for c in circuits if c["provider"].endswith("CSDLQGDC")] == ["closed"]


async def test_a_circuit_is_reset_through_the_admin_api(make_hub: MakeHub, clock: ManualClock) -> None:
    hub = await make_hub()
    source = HEAD + "steps:\n  - fault: {id: d, target: VN/GOV/000.00.00.G01/CSDLQGDC, kind: outage}\n"
    for i in range(6):  # five failures open it (min_calls 5, ratio 1); the sixth call fails fast
        source += LOOKUP.replace("YC-1", f"YC-{i}") + "    expect: {status: 500}\n"
    run = await play(hub, clock, source=source)
    assert run["steps"][-1]["detail"].startswith("500 Server.ServerProxy.ServiceFailed.CircuitOpen")
    path = "/api/v1/circuits/VN/GOV/000.00.00.G01/CSDLQGDC"
    reset = await (await hub.delete(path, headers=ADMIN)).json()
    assert reset == {"provider": "VN/GOV/000.00.00.G01/CSDLQGDC", "state": "closed", "calls": 0, "failures": 0}
    missing = await hub.delete("/api/v1/circuits/VN/GOV/000.00.00.G99/NONE", headers=ADMIN)
    assert missing.status == 404 and "not a provider" in (await missing.json())["message"]


async def test_a_failed_expectation_stops_the_run_and_clears_its_faults(make_hub: MakeHub, clock: ManualClock) -> None:
    hub = await make_hub()
    source = (
        HEAD
        + "steps:\n  - fault: {id: slow, target: VN/GOV/000.00.00.G15/HOTICH, kind: outage}\n"
        + LOOKUP
        + "    expect: {fields: {CongdanCollection.CongDan.0.HoVaTen.Ten: Bình}}\n"
        + "  - say: {vi: sau, en: after}\n"
    )
    run = await play(hub, clock, source=source)
    assert run["state"] == "failed"
    assert [s["status"] for s in run["steps"]] == ["passed", "failed", "skipped"]
    assert run["steps"][1]["detail"] == 'CongdanCollection.CongDan.0.HoVaTen.Ten: expected "Bình", got "An"'
    assert run["cleanup"] == ["slow"]
    assert (await (await hub.get("/api/v1/faults", headers=ADMIN)).json())["items"] == []


async def test_an_event_that_never_comes_times_out_on_the_hub_clock(make_hub: MakeHub, clock: ManualClock) -> None:
    hub = await make_hub()
    source = HEAD + "steps:\n  - wait: {kind: event, match: {event: never}, timeout: 2}\n"
    created = await hub.post("/api/v1/scenario-runs", json={"source": source}, headers=ADMIN)
    run_id = (await created.json())["id"]
    await clock.until_sleeping()
    clock.advance(2)
    async with asyncio.timeout(30), hub.get("/api/v1/events?after=0", headers=ADMIN) as feed:
        async for kind, data in read_events(feed.content):
            if kind == "scenario" and data["run"] == run_id and "step" not in data and data["state"] == "failed":
                break
    run = await (await hub.get(f"/api/v1/scenario-runs/{run_id}", headers=ADMIN)).json()
    assert run["steps"][0]["detail"] == 'no event event matching {"event":"never"} within 2 s'


async def test_step_mode_waits_for_next_and_stop_ends_the_run(make_hub: MakeHub, clock: ManualClock) -> None:
    hub = await make_hub()
    async with asyncio.timeout(30), hub.get("/api/v1/events", headers=ADMIN) as feed:
        events = read_events(feed.content)
        created = await hub.post(
            "/api/v1/scenario-runs", json={"scenario": "population-outage", "step": True}, headers=ADMIN
        )
        run = await created.json()
        path = f"/api/v1/scenario-runs/{run['id']}"
        assert (run["state"], run["current"], run["steps"][0]["status"]) == ("waiting", 0, "waiting")
        for index in (0, 1):  # the lookup, then the outage; the run waits again after each
            assert (await hub.post(f"{path}/next", headers=ADMIN)).status == 200
            async for kind, data in events:
                step = data.get("step", {}) if kind == "scenario" else {}
                if step.get("status") == "waiting" and step["index"] == index + 1:
                    break
        now = await (await hub.get(path, headers=ADMIN)).json()
        assert [s["status"] for s in now["steps"][:3]] == ["passed", "passed", "waiting"]
    faults = (await (await hub.get("/api/v1/faults", headers=ADMIN)).json())["items"]
    assert [f["id"] for f in faults] == ["population-outage"]
    stopped = await (await hub.delete(path, headers=ADMIN)).json()
    assert stopped["state"] == "stopped" and stopped["cleanup"] == ["population-outage"]
    assert {s["status"] for s in stopped["steps"][2:]} == {"skipped"}
    assert (await (await hub.get("/api/v1/faults", headers=ADMIN)).json())["items"] == []
    refused = await hub.post(f"{path}/next", headers=ADMIN)
    assert refused.status == 409 and "stopped" in (await refused.json())["message"]


async def test_an_abandoned_step_run_ends_after_the_timeout_and_clears_its_faults(
    make_hub: MakeHub, clock: ManualClock
) -> None:
    """Issue 16 bug 4: a step run nobody advances (its terminal closed) used to wait, faults on, forever."""
    hub = await make_hub(scenario_step_timeout=60)
    async with asyncio.timeout(30), hub.get("/api/v1/events", headers=ADMIN) as feed:
        events = read_events(feed.content)
        created = await hub.post(
            "/api/v1/scenario-runs", json={"scenario": "population-outage", "step": True}, headers=ADMIN
        )
        path = f"/api/v1/scenario-runs/{(await created.json())['id']}"
        for index in (0, 1):  # the lookup, then the outage; then nobody takes step 2
            assert (await hub.post(f"{path}/next", headers=ADMIN)).status == 200
            async for kind, data in events:
                step = data.get("step", {}) if kind == "scenario" else {}
                if step.get("status") == "waiting" and step["index"] == index + 1:
                    break
        clock.advance(59)
        assert (await (await hub.get(path, headers=ADMIN)).json())["state"] == "waiting"
        assert [f["id"] for f in (await (await hub.get("/api/v1/faults", headers=ADMIN)).json())["items"]] == [
            "population-outage"
        ]
        clock.advance(1)
        async for kind, data in events:
            if kind == "scenario" and "step" not in data and data["state"] != "waiting":
                assert data["state"] == "abandoned"
                break
    run = await (await hub.get(path, headers=ADMIN)).json()
    assert run["state"] == "abandoned" and run["cleanup"] == ["population-outage"] and run["current"] is None
    assert run["steps"][2]["status"] == "skipped"
    assert run["steps"][2]["detail"] == ("nobody took this step within 60 s; the run ended and its faults were cleared")
    assert (await (await hub.get("/api/v1/faults", headers=ADMIN)).json())["items"] == []
    refused = await hub.post(f"{path}/next", headers=ADMIN)
    assert refused.status == 409


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({}, 400, "give either scenario"),
        ({"scenario": "identity-check", "source": "x"}, 400, "give either scenario"),
        ({"scenario": "no-such"}, 404, "no scenario named 'no-such'; shipped: identity-check"),
        ({"scenario": "identity-check", "variables": {"nope": "1"}}, 400, "unknown variable(s) nope"),
        ({"source": "name: [x\n"}, 400, "the scenario has problems"),
        ({"scenario": "identity-check", "step": "yes"}, 400, "the body breaks the schema"),
    ],
)
async def test_the_admin_api_refuses_bad_runs(
    hub: TestClient[Any, Any], body: dict[str, Any], status: int, says: str
) -> None:
    resp = await hub.post("/api/v1/scenario-runs", json=body, headers=ADMIN)
    assert resp.status == status
    answer = await resp.json()
    assert says in answer["message"]
    if "source" in body and "scenario" not in body:
        assert answer["problems"][0].startswith("<source>:2:1: not valid YAML")


async def test_scenario_list_and_detail_for_the_player(hub: TestClient[Any, Any]) -> None:
    listed = await (await hub.get("/api/v1/scenarios", headers=ADMIN)).json()
    assert [s["name"] for s in listed["items"]] == list(shipped())
    detail = await (await hub.get("/api/v1/scenarios/dossier-sync-dvcqg", headers=ADMIN)).json()
    assert detail["actors"]["dvcqg"] == "VN/GOV/000.00.00.G22/DVCQG"
    first_call = next(s for s in detail["items"] if s["action"] == "call")
    assert (first_call["service"], first_call["client"]) == (
        "VN/GOV/000.00.00.H29/MOTCUA/TiepNhanHoSo",
        "VN/GOV/000.00.00.G22/DVCQG",
    )
    assert (await hub.get("/api/v1/scenarios/nope", headers=ADMIN)).status == 404
    assert (await hub.get("/api/v1/scenarios")).status == 401


async def test_the_player_is_told_what_a_throttle_step_throttles_and_how_often_a_call_is_sent(
    hub: TestClient[Any, Any],
) -> None:
    detail = await (await hub.get("/api/v1/scenarios/throttling", headers=ADMIN)).json()
    throttle = next(s for s in detail["items"] if s["action"] == "throttle")
    assert (throttle["service"], throttle["tier"]) == ("VN/GOV/000.00.00.G22/DMDC/danhMucDanToc", "provider-guard")
    assert [s["repeat"] for s in detail["items"] if s["action"] == "call"] == [4, 1]


def _finished_run() -> ScenarioRunInfo:
    step: dict[str, Any] = {"action": "call", "say": None, "service": None, "client": None}
    return ScenarioRunInfo.model_validate(
        {
            "id": 3,
            "scenario": "t",
            "title": {"vi": "Thử", "en": "Test"},
            "state": "failed",
            "step_mode": False,
            "current": None,
            "variables": {},
            "started_ms": 1000,
            "ended_ms": 2500,
            "cleanup": ["f1"],
            "steps": [
                {
                    **step,
                    "index": 0,
                    "title": {"vi": "Một", "en": "One"},
                    "status": "passed",
                    "ms": 3.0,
                    "messages": ["m1"],
                    "say": {"vi": "Lời", "en": "Words"},
                },
                {
                    **step,
                    "index": 1,
                    "title": {"vi": "Hai", "en": "Two"},
                    "status": "failed",
                    "ms": 1.0,
                    "detail": "a: expected 1, got 2",
                },
                {**step, "index": 2, "title": {"vi": "Ba", "en": "Three"}, "status": "skipped"},
            ],
        }
    )


def test_markdown_and_junit_reports(tmp_path: Path) -> None:
    run = _finished_run()
    md = markdown_report(run, "vi", "http://hub")
    assert "| 2 | Hai | ✗ không đạt | 1 ms | a: expected 1, got 2 |" in md
    assert "t: không đạt, 1/3 bước, 1.5 s" in md and "1. Lời" in md and ": f1" in md
    assert "| 1 | One | ✓ passed |" in markdown_report(run, "en", "http://hub")
    junit_report(tmp_path / "r.xml", run, "en")
    suite = xml_file(tmp_path / "r.xml")
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "1", "1")
    cases = suite.findall("testcase")
    failure, out = cases[1].find("failure"), cases[0].find("system-out")
    assert failure is not None and out is not None
    assert cases[1].get("name") == "02 Two" and failure.get("message") == "a: expected 1, got 2"
    assert cases[2].find("skipped") is not None and "m1" in (out.text or "")


async def test_the_readme_scenario_runs_as_written(make_hub: MakeHub, clock: ManualClock) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Scenarios", 1)[1]
    source = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    run = await play(await make_hub(), clock, source=source)
    assert (run["state"], failures(run)) == ("passed", [])
    assert run["steps"][-1]["say"] == {  # third-person narration, as in the shipped stories
        "vi": "Dịch vụ đã khôi phục; hồ sơ của công dân họ Nguyễn được tra cứu tiếp.",
        "en": "The service is back; the lookup for the citizen surnamed Nguyễn goes on.",
    }
