"""Reports of a finished scenario run (the admin API's ``ScenarioRunInfo``): Markdown for people,
JUnit XML for CI, in the language asked for."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from schemas.scenarios import ScenarioRunInfo

__all__ = ["junit_report", "markdown_report", "outcome_line"]

MARK = {"passed": "✓", "failed": "✗", "skipped": "–", "pending": "·", "waiting": "…", "running": "…"}
WORDS = {
    "vi": {
        "passed": "đạt",
        "failed": "không đạt",
        "stopped": "đã dừng",
        "skipped": "bỏ qua",
        "steps": "bước",
        "abandoned": "bị bỏ dở (hết thời gian chờ bước tiếp)",
        "step": "Bước",
        "result": "Kết quả",
        "time": "Thời gian",
        "detail": "Chi tiết",
        "run": "Lần chạy",
        "cleared": "Lỗi giả lập được gỡ khi kết thúc",
    },
    "en": {
        "passed": "passed",
        "failed": "failed",
        "stopped": "stopped",
        "skipped": "skipped",
        "steps": "steps",
        "abandoned": "abandoned (nobody took the next step in time)",
        "step": "Step",
        "result": "Result",
        "time": "Time",
        "detail": "Detail",
        "run": "Run",
        "cleared": "Faults cleared when the run ended",
    },
}


def outcome_line(run: ScenarioRunInfo, lang: str) -> str:
    words = WORDS[lang]
    passed = sum(s.status == "passed" for s in run.steps)
    seconds = ((run.ended_ms or run.started_ms) - run.started_ms) / 1000
    state = words.get(run.state, run.state)
    return f"{run.scenario}: {state}, {passed}/{len(run.steps)} {words['steps']}, {seconds:.1f} s"


def markdown_report(run: ScenarioRunInfo, lang: str, hub: str) -> str:
    words = WORDS[lang]
    lines = [
        f"# {getattr(run.title, lang)}",
        "",
        f"`{run.scenario}` · {words['run']} {run.id} · {hub} · **{outcome_line(run, lang)}**",
        "",
        f"| # | {words['step']} | {words['result']} | {words['time']} | {words['detail']} |",
        "|---|---|---|---|---|",
    ]
    for s in run.steps:
        detail = (s.detail or "").replace("|", "\\|").replace("\n", " ")
        ms = f"{s.ms:.0f} ms" if s.ms is not None else ""
        status = f"{MARK.get(s.status, '')} {words.get(s.status, s.status)}"
        lines.append(f"| {s.index + 1} | {getattr(s.title, lang)} | {status} | {ms} | {detail} |")
    narration = [f"{s.index + 1}. {getattr(s.say, lang)}" for s in run.steps if s.say is not None]
    if narration:
        lines += ["", *narration]
    if run.cleanup:
        lines += ["", f"{words['cleared']}: {', '.join(run.cleanup)}"]
    return "\n".join(lines) + "\n"


def junit_report(path: Path, run: ScenarioRunInfo, lang: str) -> None:
    failed = sum(s.status == "failed" for s in run.steps)
    skipped = sum(s.status == "skipped" for s in run.steps)
    seconds = sum(s.ms or 0 for s in run.steps) / 1000
    suite = ET.Element(
        "testsuite",
        name=f"scenario {run.scenario}",
        tests=str(len(run.steps)),
        failures=str(failed),
        skipped=str(skipped),
        errors="0",
        time=f"{seconds:.3f}",
    )
    for s in run.steps:
        name = f"{s.index + 1:02d} {getattr(s.title, lang)}"
        case = ET.SubElement(
            suite, "testcase", classname=f"scenario.{run.scenario}", name=name, time=f"{(s.ms or 0) / 1000:.3f}"
        )
        if s.status == "failed":
            ET.SubElement(case, "failure", message=(s.detail or "failed").splitlines()[0]).text = s.detail
        elif s.status == "skipped":
            ET.SubElement(case, "skipped")
        if s.messages:
            ET.SubElement(case, "system-out").text = "X-Road message ids: " + ", ".join(s.messages)
    ET.ElementTree(suite).write(path, "utf-8", xml_declaration=True)
