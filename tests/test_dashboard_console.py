"""The trainer's console in a real headless Chromium (issue 19): a presenter's clicker drives it, the
presenter view reads on a 1280x720 projector, the code panes show Vietnamese in the shipped font, the
player follows runs it did not start and survives a reload, the map shows faults and open circuits, and
a hub that goes away is told plainly."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from ngsp_sim.config import HubConfig, SecurityConfig
from ngsp_sim.testing.embedded import EmbeddedHub, HubHandle
from tests.browser import DOCS_IMG, POPULATION, browser, call, hub, open_page, page, shot
from tests.processes import run_cli

__all__ = ["browser", "hub", "page"]  # the fixtures this module uses

MOTCUA_HCM = "VN/GOV/000.00.00.H29/MOTCUA"
LOOKUP = {
    "MaYeuCau": "YC-1",
    "MaDVC": "1.001612",
    "MaTichHop": "037",
    "MaCanBo": "canbo01",
    "MaDonVi": "000.00.00.H29",
    "SoDinhDanh": "079090001234",
}


# the rendered height, on the screen, of the smallest line of a map label
SMALLEST_LABEL = (
    "Math.min(...[...document.querySelectorAll('#map .node text tspan')].map((n) => n.getBoundingClientRect().height))"
)


def focused(page: Any) -> str:
    return str(page.evaluate("document.activeElement.id || document.activeElement.tagName"))


def test_a_clicker_drives_a_step_run_and_the_focus_never_falls_to_the_body(page: Any) -> None:
    """Page Down / Space / Right take the next step, Page Up / Left walk the caption back; after each
    press the focus is still on a control, never on <body>."""
    page.click("#lang-en")
    page.select_option("#scenario-select", "dossier-sync-dvcqg")
    page.focus("#step")
    page.keyboard.press("Space")  # starts the run step by step
    page.wait_for_selector("#run-state[data-state=waiting]")
    assert focused(page) == "step"
    page.keyboard.press("PageDown")  # step 0: the narration
    page.wait_for_selector("#steps li[data-index='1'][data-status=waiting]")
    page.keyboard.press("ArrowRight")  # step 1: the handover, a call
    page.wait_for_selector("#steps li[data-index='1'][data-status=passed]")
    page.wait_for_selector("#steps li[data-index='2'][data-status=waiting]")
    assert focused(page) != "BODY"
    assert page.get_attribute("#narration", "data-index") == "1"
    assert page.text_content("#step-counter") == "Step 2/7"
    page.keyboard.press("PageUp")  # back to what step 0 said, without running anything
    assert page.get_attribute("#narration", "data-index") == "0"
    assert page.text_content("#narration").startswith("A citizen files")
    page.keyboard.press("PageDown")  # forward again to the newest step
    assert page.get_attribute("#narration", "data-index") == "1"
    assert page.get_attribute("#steps li[data-index='2']", "data-status") == "waiting"
    page.click("#stop")
    page.wait_for_selector("#run-state[data-state=stopped]")
    assert focused(page) != "BODY"
    assert page.get_attribute("#pace-value", "data-pace") == "3"  # a step run has no pace: Play's stays


def test_message_rows_take_the_focus_enter_opens_the_inspector_and_esc_closes_it(page: Any, hub: HubHandle) -> None:
    call(hub, MOTCUA_HCM, f"{POPULATION}/TraCuuThongTinCongDan", LOOKUP)
    page.wait_for_selector("#messages tbody tr")
    assert page.get_attribute("#messages tbody tr", "tabindex") == "0"
    page.focus("#messages tbody tr")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible
    page.keyboard.press("Enter")
    page.wait_for_selector("#inspector:not([hidden])")
    assert page.evaluate("document.querySelector('#inspector').contains(document.activeElement)")
    page.keyboard.press("Escape")
    page.wait_for_selector("#inspector", state="hidden")
    assert page.evaluate("document.activeElement.matches('#messages tbody tr')")  # back where it was


def test_the_code_panes_render_vietnamese_in_the_shipped_monospace_font(page: Any, hub: HubHandle) -> None:
    """Chromium reports the platform fonts it really drew a node's text with: only the shipped
    JetBrains Mono, no fallback that would split "Số" into a letter and a loose accent."""
    body = {**LOOKUP, "MaYeuCau": "Số 12 Đường Lê Lợi"}
    call(hub, MOTCUA_HCM, f"{POPULATION}/TraCuuThongTinCongDan", body)
    page.click("#messages tbody tr")
    value = '#inspector pre.body span[data-pointer="/MaYeuCau"] > span[data-pointer="/MaYeuCau"]'
    assert page.wait_for_selector(value).text_content() == '"Số 12 Đường Lê Lợi"'
    page.evaluate("document.fonts.ready")
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": value})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    assert {f["familyName"] for f in fonts} == {"JetBrains Mono"}, fonts
    assert all(f["isCustomFont"] for f in fonts)
    with urllib.request.urlopen(f"{hub.url}/ui/fonts/jetbrains-mono-vietnamese-400-normal.woff2") as resp:  # noqa: S310
        assert resp.headers.get_content_type() == "font/woff2"


def advance(page: Any, index: int) -> None:
    """The clicker's Page Down, until step ``index`` of a step run has ended."""
    page.keyboard.press("PageDown")
    page.wait_for_selector(
        f"#steps li[data-index='{index}']:is([data-status=passed], [data-status=failed])", state="attached"
    )


def test_the_presenter_view_reads_on_a_1280x720_projector(browser: Any, hub: HubHandle) -> None:
    """/ui/#presenter: the map across the screen with labels that grow with it and wrap instead of being
    cut, a caption of at least 28 px with the step counter, the developer lists hidden. Takes the
    README's screenshots (Vietnamese, 1280x720) into docs/img/."""
    errors: list[str] = []
    page = open_page(browser, hub, errors, "presenter", viewport={"width": 1280, "height": 720})
    assert page.evaluate("location.hash") == "#presenter"  # bookmarkable; the token is gone
    assert page.is_hidden("#bottom") and page.is_hidden("#steps")
    map_box = page.locator("#map").bounding_box()
    assert map_box["width"] >= 1200
    assert page.evaluate(SMALLEST_LABEL) >= 12  # rendered height of a label line on the screen, not SVG units
    texts = (
        page.locator("#map .node text").all_text_contents() + page.locator("#map text.agency-name").all_text_contents()
    )
    assert not any("…" in t for t in texts)
    page.select_option("#scenario-select", "identity-check")
    page.keyboard.press("PageDown")
    page.wait_for_selector("#run-state[data-state=waiting]")
    advance(page, 0)
    caption = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#narration')).fontSize)")
    assert caption >= 28
    assert page.text_content("#narration") and page.text_content("#step-counter") == "Bước 1/6"
    for index in (1, 2, 3):
        advance(page, index)
    shot(page, "presenter-identity-check.png", DOCS_IMG)
    page.click("#stop")
    page.wait_for_selector("#run-state[data-state=stopped]")
    page.select_option("#scenario-select", "population-outage")
    page.keyboard.press("PageDown")
    page.wait_for_selector("#run-state[data-state=waiting]")
    for index in (0, 1, 2):  # the lookup goes through, the database goes down, the lookup fails
        advance(page, index)
    page.wait_for_selector(f'#map .node[data-id="{POPULATION}"][data-trouble=fault]', state="attached")
    shot(page, "presenter-population-outage.png", DOCS_IMG)
    page.click("#stop")
    page.context.close()
    assert errors == []


def test_map_names_stay_readable_and_whole_on_the_main_view_at_1280x720(browser: Any, hub: HubHandle) -> None:
    """Not the ~8 px of before: the map spans the page, and long names wrap onto more lines."""
    errors: list[str] = []
    page = open_page(browser, hub, errors, viewport={"width": 1280, "height": 720})
    assert page.evaluate(SMALLEST_LABEL) >= 12
    lines = page.locator('#map .node[data-id="VN/GOV/000.00.00.H56/MOTCUA"] text tspan').all_text_contents()
    assert len(lines) >= 2 and " ".join(lines) == "MOTCUA · Hệ thống thông tin giải quyết TTHC tỉnh Thanh Hóa"
    page.context.close()
    assert errors == []


def test_the_player_follows_a_run_started_from_the_command_line(page: Any, hub: HubHandle) -> None:
    page.click("#lang-en")
    assert page.input_value("#scenario-select") == "identity-check"
    result = run_cli(
        "scenario", "run", "dossier-sync-dvcqg", "--hub", hub.url, env={"NGSP_SIM_ADMIN_TOKEN": hub.admin_token}
    )
    assert result.returncode == 0, result.stderr
    page.wait_for_selector("#run-state[data-state=passed]")
    assert page.input_value("#scenario-select") == "dossier-sync-dvcqg"
    assert page.locator("#steps li[data-status=passed]").count() == 7


def test_a_step_run_in_progress_is_shown_again_after_a_reload_with_stop_enabled(page: Any, hub: HubHandle) -> None:
    run = hub.admin("POST", "/scenario-runs", {"scenario": "dossier-sync-dvcqg", "step": True})
    page.wait_for_selector(f"#run-state[data-run='{run['id']}'][data-state=waiting]")
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector(f"#run-state[data-run='{run['id']}'][data-state=waiting]")
    assert page.input_value("#scenario-select") == "dossier-sync-dvcqg"
    assert page.is_enabled("#stop")
    page.click("#stop")
    page.wait_for_selector("#run-state[data-state=stopped]")


def test_an_open_circuit_shows_on_its_node_and_is_closed_from_the_map(page: Any, hub: HubHandle) -> None:
    hub.inject_fault("down", POPULATION, "outage")
    for _ in range(50):  # bounded: the breaker opens after a handful of failures
        call(hub, MOTCUA_HCM, f"{POPULATION}/TraCuuThongTinCongDan", LOOKUP)
        if any(c["state"] == "open" for c in hub.admin("GET", "/circuits")["items"]):
            break
    page.click("[data-tab=faults]")  # reloads the lists (the feed's `faults` event does it on a newer hub)
    node = f'#map .node[data-id="{POPULATION}"]'
    page.wait_for_selector(f"{node}[data-trouble]")
    page.click("[data-tab=faults]")
    hub.clear_fault("down")
    page.click("[data-tab=faults]")
    page.wait_for_selector(f"{node}[data-trouble=open]")
    page.click(f'#map-alerts button.close-circuit[data-provider="{POPULATION}"]')
    page.wait_for_selector(f"{node}[data-trouble]", state="detached")
    states = {c["provider"]: c["state"] for c in hub.admin("GET", "/circuits")["items"]}
    assert states[POPULATION] == "closed"


def test_with_the_hub_gone_play_says_so_in_both_languages(browser: Any) -> None:
    errors: list[str] = []
    with EmbeddedHub(HubConfig(port=0, population=50, security=SecurityConfig(kdf_cost=2**10))) as gone:
        page = browser.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{gone.url}/ui/#token={gone.admin_token}")
        page.wait_for_selector("body[data-ready=true]")
    page.click("#play")
    notice = page.wait_for_selector("#notice:not([hidden])")
    assert "Không kết nối được với hub" in notice.text_content()
    assert "Cannot reach the hub" in notice.text_content()
    assert errors == []  # no uncaught "Failed to fetch"
    page.close()


def test_the_favicon_is_served(hub: HubHandle) -> None:
    for path in ("/favicon.ico", "/ui/favicon.svg"):
        with urllib.request.urlopen(f"{hub.url}{path}") as resp:  # noqa: S310  loopback
            assert resp.headers.get_content_type() == "image/svg+xml"


def test_try_it_sends_a_refused_and_an_accepted_request_in_both_wire_styles(page: Any, hub: HubHandle) -> None:
    """The example comes pre-filled and valid (accepted); without SoDinhDanh it is refused and the
    violation is highlighted on the payload sent. The gateway style buys a token first, and its error
    body has the gateway's shape, so the difference is visible."""
    page.click("#lang-en")
    page.click("[data-tab=tryit]")
    lookup = f"{POPULATION}/TraCuuThongTinCongDan"
    page.select_option("#try-service", lookup)
    assert page.input_value("#try-client") == MOTCUA_HCM
    assert page.text_content("#try-address") == f"POST /r1/{lookup}"
    page.click("#try-form button[type=submit]")
    page.wait_for_selector("#try-result[data-status='200'][data-style=xroad]")
    body = page.input_value("#try-body").replace('"SoDinhDanh": "079090001234"', '"SoDinhDanh": "12"')
    page.fill("#try-body", body)
    page.click("#try-form button[type=submit]")
    page.wait_for_selector("#try-result[data-status='400'][data-style=xroad]")
    marked = page.wait_for_selector('#try-result .violation[data-pointer="/SoDinhDanh"]')
    assert '"12"' in marked.text_content()
    assert "Client.SchemaViolation" in page.text_content("#try-result")
    page.check("#try-style-gateway")
    assert page.text_content("#try-address") == "POST /apiCSDLQGDC/1.0/TraCuuThongTinCongDan"
    page.fill("#try-secret", "demo-motcua-hcm-secret")
    page.click("#try-form button[type=submit]")
    page.wait_for_selector("#try-result[data-status='400'][data-style=gateway]")
    assert '"fault"' in page.text_content("#try-result")  # the gateway's error shape
    page.wait_for_selector('#try-result .violation[data-pointer="/SoDinhDanh"]')
    page.fill("#try-body", body.replace('"SoDinhDanh": "12"', '"SoDinhDanh": "079090001234"'))
    page.click("#try-form button[type=submit]")
    page.wait_for_selector("#try-result[data-status='200'][data-style=gateway]")
    hub.flush()  # the list, read from the log, tells the two styles apart
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("#messages tbody tr[data-wire=xroad]").count() == 2
    assert page.locator("#messages tbody tr[data-wire=gateway]").count() == 2
    assert "API gateway (token)" in page.text_content("#messages tbody tr[data-wire=gateway] .wire >> nth=0")


def test_every_try_it_example_is_accepted_as_it_comes(hub: HubHandle) -> None:
    """What the panel pre-fills is valid: each JSON example, sent X-Road style as its client, succeeds."""
    examples = hub.admin("GET", "/examples")["items"]
    assert len(examples) >= 20
    for x in examples:
        if x["xml"] is not None or x["service"].endswith("/getEdoc"):
            continue  # edXML: a document is sent first, and getEdoc takes the id sendEdoc answered
        query = "?" + urllib.parse.urlencode(x["query"]) if x["query"] else ""
        data = json.dumps(x["payload"]).encode() if x["method"] != "GET" else None
        request = urllib.request.Request(  # noqa: S310  loopback
            f"{hub.url}{x['xroad_path']}{query}",
            data=data,
            method=x["method"],
            headers={"X-Road-Client": x["client"], "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as resp:  # noqa: S310
            assert resp.status == 200, x["service"]


def test_the_run_as_a_sequence_diagram_downloadable_and_printed_in_the_report(page: Any, tmp_path: Path) -> None:
    page.click("#lang-en")
    page.select_option("#scenario-select", "identity-check")
    page.click("#play")
    page.wait_for_selector("#run-state[data-state=passed]")
    rows = page.locator("#timeline g.seq")
    assert rows.count() == 6
    calls = page.locator("#timeline g.seq.call")
    assert calls.count() == 4
    lanes = page.locator("#timeline text.lane").all_text_contents()
    assert lanes == ["000.00.00.H29/MOTCUA", "000.00.00.H56/MOTCUA", "NGSP", "000.00.00.G01/CSDLQGDC"]
    with page.expect_download() as download:
        page.click("#timeline-svg")
    saved = tmp_path / "timeline.svg"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "identity-check-timeline.svg"
    svg = saved.read_text()
    assert svg.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in svg and "<polyline" in svg
    assert "Citizen lookup (037)" in svg
    page.emulate_media(media="print")  # the printable run report: the story and its diagram, no controls
    assert page.is_hidden("#bottom") and page.is_hidden("#play") and page.is_hidden("header .tools")
    assert page.is_visible("#timeline") and page.is_visible("#steps")
