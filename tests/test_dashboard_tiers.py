"""The dashboard draws the two tiers (issue 20), in Chromium, against an NGSP hub and Hồ Chí Minh City's
LGSP (``lgsp-hcm``) in front of it, each on its own loopback port: on the NGSP hub the city's LGSP is drawn
in the LGSP band and is the client of the exchanges it forwards; on the LGSP's own dashboard the centre of
the map reads "LGSP" and the city's systems are its clients. One exchange crossing both tiers shows in both
dashboards' feeds (one ``X-Road-Id``) and crosses both maps, each from its own client."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from ngsp_sim.config import HubConfig, SecurityConfig
from ngsp_sim.registry.loader import demo_text
from ngsp_sim.testing.embedded import EmbeddedHub, HubHandle
from tests.browser import TRAIL_RECORDER, browser, call, open_page
from tests.helpers import MOTCUA, lookup_body

__all__ = ["browser"]  # the fixture this module uses

LGSP = "VN/GOV/000.00.00.H29/LGSP"
POPULATION = "VN/GOV/000.00.00.G01/CSDLQGDC"
LOOKUP = f"{POPULATION}/TraCuuThongTinCongDan"
HISTORY = "VN/GOV/000.00.00.G22/DVCQG/TraCuuHoSo"  # allowed at the LGSP, refused to it by NGSP


@pytest.fixture
def tiers() -> Iterator[tuple[HubHandle, HubHandle]]:
    """(NGSP hub, LGSP hub): the demo country, and ``lgsp-hcm`` forwarding its national services to it."""
    config = HubConfig(port=0, population=50, security=SecurityConfig(kdf_cost=2**10))
    with EmbeddedHub(config) as ngsp:
        lgsp_config = replace(config, upstream=ngsp.url)
        with EmbeddedHub(lgsp_config, topology_text=demo_text("lgsp-hcm.yaml")) as lgsp:
            yield ngsp, lgsp


def _centre(page: Any) -> dict[str, float]:
    return dict(
        page.evaluate(
            "(() => { const c = document.querySelector('#hub-node circle');"
            " return { x: Number(c.getAttribute('cx')), y: Number(c.getAttribute('cy')) }; })()"
        )
    )


def _x_of(page: Any, subsystem: str) -> float:
    """Where across the map trails start at (or end on) a subsystem's node: its box's middle, in SVG units."""
    box = page.evaluate(
        '(id) => { const r = document.querySelector(`#map .node[data-id="${id}"] rect`);'
        " return [r.getAttribute('x'), r.getAttribute('y'), r.getAttribute('width'), r.getAttribute('height')]"
        ".map(Number); }",
        subsystem,
    )
    return float(box[0] + box[2] / 2)


def _trail(page: Any, service: str) -> list[tuple[float, float]]:
    page.wait_for_function("(s) => window.trails.some((t) => t.service === s)", arg=service)
    found = next(t for t in page.evaluate("window.trails") if t["service"] == service)
    return [tuple(float(v) for v in p.split(",")) for p in found["points"].split()]  # type: ignore[misc]


def _row(page: Any, message_id: str) -> Any:
    row = page.locator(f'#messages tbody tr[data-message-id="{message_id}"]')
    row.wait_for()
    return row


def _dashboards(browser: Any, tiers: tuple[HubHandle, HubHandle], errors: list[str]) -> tuple[Any, Any]:
    """NGSP's and the LGSP's dashboards at projector size, each recording the trails it draws."""
    pages = tuple(open_page(browser, hub, errors, viewport={"width": 1280, "height": 720}) for hub in tiers)
    for page in pages:
        page.evaluate(TRAIL_RECORDER)
    return pages[0], pages[1]


def test_an_exchange_crossing_both_tiers_is_drawn_on_both_dashboards(
    browser: Any, tiers: tuple[HubHandle, HubHandle]
) -> None:
    lgsp = tiers[1]
    errors: list[str] = []
    upper, lower = _dashboards(browser, tiers, errors)
    assert upper.text_content("#hub-node text") == "NGSP"
    assert upper.locator(f'#map .lgsp-tier .node[data-id="{LGSP}"]').count() == 1
    assert lower.text_content("#hub-node text") == "LGSP"
    assert lower.locator("#hub-node").get_attribute("data-layer") == "lgsp"

    assert call(lgsp, MOTCUA, LOOKUP, lookup_body(), "tiers-1") == 200
    # in both feeds, with its one X-Road-Id: the one-stop system the LGSP's client, the LGSP NGSP's
    assert "H29/MOTCUA" in _row(lower, "tiers-1").text_content()
    assert "H29/LGSP" in _row(upper, "tiers-1").text_content()
    # across both maps: at NGSP from the LGSP's node in its band, at the LGSP from the city's system; each
    # through its own centre to the population database's node
    for page, client in ((upper, LGSP), (lower, MOTCUA)):
        start, hub, end = _trail(page, LOOKUP)
        assert start[0] == _x_of(page, client), (client, start)
        centre = _centre(page)
        assert hub == (centre["x"], centre["y"])
        assert end[0] == _x_of(page, POPULATION)
    for page in (upper, lower):
        page.context.close()
    assert errors == []


def test_a_refusal_of_the_upper_tier_is_drawn_as_ngsps_on_the_lgsps_map(
    browser: Any, tiers: tuple[HubHandle, HubHandle]
) -> None:
    """NGSP refuses the LGSP DVCQG's TraCuuHoSo: on NGSP's map the trail stops at NGSP; on the LGSP's map
    the refusal was not the provider's either: it stops at the centre, where the exchange left for NGSP."""
    lgsp = tiers[1]
    errors: list[str] = []
    upper, lower = _dashboards(browser, tiers, errors)
    assert call(lgsp, MOTCUA, HISTORY, lookup_body(), "tiers-2") == 500
    for page, decided in ((upper, "hub"), (lower, "ngsp")):
        assert _row(page, "tiers-2").get_attribute("data-outcome") == "refused"
        trail = _trail(page, HISTORY)
        centre = _centre(page)
        assert trail[-1] == (centre["x"], centre["y"]), trail
        assert page.evaluate("(s) => window.trails.find((t) => t.service === s).decidedBy", HISTORY) == decided
    assert "NGSP quyết định" in _row(lower, "tiers-2").text_content()  # the row names the tier that decided
    assert "NGSP quyết định" not in _row(upper, "tiers-2").text_content()
    for page in (upper, lower):
        page.context.close()
    assert errors == []
