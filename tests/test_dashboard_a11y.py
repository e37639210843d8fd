"""Accessibility of the dashboard, checked by axe-core (npm, installed by ``make browser-tools``) in
Debian's Chromium: no critical and no serious finding on the main view and on the presenter view, in
both languages, with the inspector open too, and no console error. axe is injected from the local file
into a context that bypasses the page's strict CSP (the dashboard itself never loads it)."""

from __future__ import annotations

from typing import Any

import pytest

from ngsp_sim.testing.embedded import HubHandle
from tests.browser import AXE, POPULATION, browser, call, hub, missing_axe, open_page
from tests.helpers import missing_tool

__all__ = ["browser", "hub"]  # the fixtures this module uses

BLOCKING = {"critical", "serious"}


def _findings(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, { resultTypes: ['violations'] })")
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def _console_errors(page: Any, into: list[str]) -> None:
    page.on("console", lambda msg: into.append(msg.text) if msg.type == "error" else None)


@pytest.mark.parametrize("view", ["", "presenter"], ids=["main", "presenter"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_critical_or_serious_accessibility_findings(browser: Any, hub: HubHandle, view: str, lang: str) -> None:
    if missing := missing_axe():
        missing_tool(f"axe-core: {missing}")
    errors: list[str] = []
    page = open_page(browser, hub, errors, view, bypass_csp=True, viewport={"width": 1280, "height": 720})
    _console_errors(page, errors)
    page.click(f"#lang-{lang}")
    page.select_option("#scenario-select", "identity-check")
    page.click("#play")
    page.wait_for_selector("#run-state[data-state=passed]")
    assert _findings(page) == []
    if not view:  # the inspector, the faults and try-it tabs too
        call(hub, "VN/GOV/000.00.00.H29/MOTCUA", f"{POPULATION}/TraCuuThongTinCongDan", {"MaYeuCau": "x"})
        page.click("#messages tbody tr:not(.ok)")
        page.wait_for_selector("#inspector .bodies pre.body")
        assert _findings(page) == []
        page.keyboard.press("Escape")
        for tab in ("faults", "tryit"):
            page.click(f"[data-tab={tab}]")
            assert _findings(page) == [], tab
    page.context.close()
    assert errors == []
