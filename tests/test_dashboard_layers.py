"""The map draws the platform's real layering (issue 19), checked by where Chromium puts the boxes:
ministries' systems on one side of NGSP, provinces' on the other, an LGSP between its province's systems
and NGSP, VDXP an axis of its own that edXML exchanges travel; at 1280x720 on the main and presenter views."""

from __future__ import annotations

from typing import Any

import pytest

from ngsp_sim.testing.embedded import HubHandle
from tests.browser import TRAIL_RECORDER, browser, hub, open_page

__all__ = ["browser", "hub"]  # the fixtures this module uses

LGSP = "VN/GOV/000.00.00.H29/LGSP"
VDXP = "VN/GOV/000.00.00.G22/VDXP"
NATIONAL = ["000.00.00.G01", "000.00.00.G22", "000.00.00.G12", "000.00.18.G12", "000.00.19.G12"]
PROVINCIAL = ["000.00.00.H29", "000.00.00.H56"]


def box(page: Any, selector: str) -> dict[str, float]:
    found = page.locator(selector).bounding_box()
    assert found, selector
    return {**found, "bottom": found["y"] + found["height"], "right": found["x"] + found["width"]}


@pytest.mark.parametrize("view", ["", "presenter"], ids=["main", "presenter"])
def test_each_system_is_drawn_in_its_layer(browser: Any, hub: HubHandle, view: str) -> None:
    hub.admin(
        "PUT",
        f"/subsystems/{LGSP}",
        {"name": {"vi": "Nền tảng LGSP TP. Hồ Chí Minh", "en": "HCMC LGSP"}, "role": "lgsp"},
    )
    errors: list[str] = []
    page = open_page(browser, hub, errors, view, viewport={"width": 1280, "height": 720})
    ngsp = box(page, "#hub-node circle")
    for code in NATIONAL:
        assert box(page, f'#map g.agency[data-member="VN/GOV/{code}"] rect.box')["bottom"] <= ngsp["y"], code
    provinces = {code: box(page, f'#map g.agency[data-member="VN/GOV/{code}"] rect.box') for code in PROVINCIAL}
    for code, found in provinces.items():
        assert found["y"] >= ngsp["bottom"], code
    lgsp = box(page, f'#map .lgsp-tier .node[data-id="{LGSP}"] rect')
    hcm = provinces["000.00.00.H29"]
    assert ngsp["bottom"] <= lgsp["y"] and lgsp["bottom"] <= hcm["y"]  # between NGSP and its province
    assert lgsp["x"] < hcm["right"] and hcm["x"] < lgsp["right"]  # in front of its own province
    assert page.locator(f'#map g.agency .node[data-id="{LGSP}"]').count() == 0  # not among the systems
    axis = box(page, f'#map .vdxp-axis[data-id="{VDXP}"] rect')
    assert axis["width"] >= 0.9 * box(page, "#map")["width"]  # across the map
    assert ngsp["bottom"] <= axis["y"] and axis["bottom"] <= min(p["y"] for p in provinces.values())
    assert page.locator(f'#map g.agency .node[data-id="{VDXP}"]').count() == 0
    page.context.close()
    assert errors == []


def test_edxml_exchanges_travel_the_vdxp_axis_not_ngsp(browser: Any, hub: HubHandle) -> None:
    errors: list[str] = []
    page = open_page(browser, hub, errors, viewport={"width": 1280, "height": 720})
    page.evaluate(TRAIL_RECORDER)
    run = hub.admin("POST", "/scenario-runs", {"scenario": "edxml-document"})
    page.wait_for_selector(f"#run-state[data-run='{run['id']}'][data-state=passed]")
    axis_y = page.evaluate(
        "(() => { const r = document.querySelector('#map .vdxp-axis rect');"
        " return Number(r.getAttribute('y')) + Number(r.getAttribute('height')) / 2; })()"
    )
    trails = page.evaluate("window.trails")
    edxml = [t for t in trails if t["service"].startswith(f"{VDXP}/")]
    assert edxml, trails
    for trail in edxml:
        points = [tuple(float(v) for v in p.split(",")) for p in trail["points"].split()]
        (x0, _), (x1, y1), (_, y2) = points
        assert x1 == x0 and y1 == y2 == axis_y, trail  # straight to the axis, then along it: not via NGSP
    page.context.close()
    assert errors == []
