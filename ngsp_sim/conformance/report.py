"""Conformance reports: a terminal summary, JUnit XML (for CI), and a standalone HTML page."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

from ngsp_sim.conformance.cases import Kind, json_bytes
from ngsp_sim.conformance.runner import Result

__all__ = ["Score", "html_report", "junit_report", "scores", "summary"]


@dataclass(frozen=True, slots=True)
class Score:
    """How many of one group's requests (or of all, ``group == "overall"``) the provider got right."""

    group: str
    passed: int
    total: int

    @property
    def percent(self) -> float:
        return 100 * self.passed / self.total if self.total else 100.0

    def line(self) -> str:
        return f"{self.group}: {self.percent:.1f}% ({self.passed} of {self.total})"


def scores(results: list[Result]) -> list[Score]:
    """A score per check group that ran (valid, boundary, invalid, protocol), then the overall one: the
    figure a team tracks release by release."""
    groups = [
        Score(kind, sum(r.passed for r in ran), len(ran))
        for kind in get_args(Kind)
        if (ran := [r for r in results if r.case.kind == kind])
    ]
    return [*groups, Score("overall", sum(r.passed for r in results), len(results))]


def summary(service: str, target: str, results: list[Result]) -> str:
    kinds = Counter(r.case.kind for r in results)
    failed = [r for r in results if not r.passed]
    lines = [
        f"conformance of {service} at {target}",
        f"  {len(results)} requests: {kinds['valid']} valid, {kinds['boundary']} boundary, {kinds['invalid']} invalid"
        + (f", {kinds['protocol']} protocol" if kinds["protocol"] else ""),
    ]
    for r in failed:
        lines.append(f"FAIL {r.case.name}")
        lines += [f"     {line}" for line in r.detail.splitlines()]
    verdict = "PASS" if not failed else "FAIL"
    lines.append(f"{verdict}: {len(results) - len(failed)} passed, {len(failed)} failed")
    lines.append("score / điểm:")
    lines += [f"  {score.line()}" for score in scores(results)]
    return "\n".join(lines)


def junit_report(path: Path, service: str, results: list[Result]) -> None:
    failures = sum(not r.passed for r in results)
    suite = ET.Element(
        "testsuite",
        name=f"conformance {service}",
        tests=str(len(results)),
        failures=str(failures),
        errors="0",
        time=f"{sum(r.seconds for r in results):.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    for score in scores(results):
        name = "score" if score.group == "overall" else f"score.{score.group}"
        ET.SubElement(properties, "property", name=name, value=f"{score.percent:.1f}")
    for r in results:
        case = ET.SubElement(
            suite, "testcase", classname=f"conformance.{r.case.kind}", name=r.case.name, time=f"{r.seconds:.3f}"
        )
        if not r.passed:
            ET.SubElement(case, "failure", message=r.detail.splitlines()[0]).text = r.detail
        ET.SubElement(case, "system-out").text = json_bytes(r.case.payload).decode()
    ET.ElementTree(suite).write(path, "utf-8", xml_declaration=True)


def html_report(path: Path, service: str, target: str, results: list[Result]) -> None:
    failed = sum(not r.passed for r in results)
    scored = "".join(
        f"<tr><th>{html.escape(s.group)}</th><td>{s.percent:.1f}%</td><td>{s.passed} of {s.total}</td></tr>"
        for s in scores(results)
    )
    rows = []
    for r in results:
        payload = html.escape(json_bytes(r.case.payload, indent=True).decode())
        rows.append(
            f'<tr class="{"pass" if r.passed else "fail"}"><td>{html.escape(r.case.kind)}</td>'
            f"<td>{html.escape(r.case.name)}</td><td>{'pass' if r.passed else 'FAIL'}</td>"
            f"<td><pre>{html.escape(r.detail)}</pre><details><summary>request</summary><pre>{payload}</pre>"
            f"</details></td></tr>"
        )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Conformance of {html.escape(service)}</title>
<style>body{{font:16px system-ui,sans-serif;margin:2em}}table{{border-collapse:collapse;width:100%}}
td,th{{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;text-align:left}}
tr.fail td{{background:#fde8e8}}tr.pass td:nth-child(3){{color:#176f2c}}pre{{margin:0;white-space:pre-wrap}}
table.score{{width:auto;margin-bottom:1em}}</style>
</head><body><h1>Conformance of {html.escape(service)}</h1>
<p>Provider at <code>{html.escape(target)}</code>: <strong>{len(results) - failed} passed, {failed} failed</strong>
of {len(results)} requests.</p>
<table class="score"><caption>Score per check group / Điểm theo nhóm kiểm tra</caption>
<thead><tr><th>group</th><th>score</th><th>passed</th></tr></thead><tbody>{scored}</tbody></table>
<table><thead><tr><th>kind</th><th>case</th><th>result</th><th>detail</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table></body></html>
"""
    path.write_text(page, "utf-8")
