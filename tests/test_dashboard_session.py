"""The dashboard with the server side of issue 19 (paced runs, reset, the glossary, where an exchange
was decided): each test skips, saying what is missing, on a hub whose admin API lacks the route it
drives, so the dashboard side can be merged first and these run as soon as both are in."""

from __future__ import annotations

from typing import Any

from ngsp_sim.testing.embedded import HubHandle
from tests.browser import POPULATION, browser, call, hub, needs, page

__all__ = ["browser", "hub", "page"]  # the fixtures this module uses

MOTCUA_HCM = "VN/GOV/000.00.00.H29/MOTCUA"

# Records, in the page, each exchange the map animates with the step the caption tells at that moment,
# and the page's clock at each change of the caption.
RECORDER = """() => {
  window.seen = { trails: [], captions: [] };
  new MutationObserver((changes) => {
    for (const c of changes) for (const n of c.addedNodes) if (n.tagName === "polyline") {
      const caption = document.querySelector("#narration");
      window.seen.trails.push({ service: n.dataset.service, decidedBy: n.dataset.decidedBy, cls: n.getAttribute("class"),
                                captionService: caption.dataset.service, captionIndex: caption.dataset.index });
    }
  }).observe(document.querySelector("#map"), { childList: true, subtree: true });
  new MutationObserver(() => window.seen.captions.push({ index: document.querySelector("#narration").dataset.index,
                                                          at: performance.now() }))
    .observe(document.querySelector("#narration"), { attributes: true, attributeFilter: ["data-index"] });
}"""


def test_a_paced_run_takes_its_time_and_narration_matches_the_animated_exchange(page: Any, hub: HubHandle) -> None:
    """identity-check has 6 steps: at 1 s per step the run takes at least 5 s of the hub's clock, the
    caption tells the steps in order, and every exchange the map animates is the call of the step the caption tells."""
    needs(hub, "POST", "/api/v1/scenario-runs/{id}/pause")
    page.evaluate(RECORDER)
    page.select_option("#scenario-select", "identity-check")
    for _ in range(8):  # slower/faster walk a fixed list of paces; settle on 1 s per step
        pace = float(page.get_attribute("#pace-value", "data-pace"))
        if pace == 1:
            break
        page.click("#faster" if pace > 1 else "#slower")
    assert page.get_attribute("#pace-value", "data-pace") == "1"
    page.click("#play")
    page.wait_for_selector("#run-state[data-state=passed]")
    seen = page.evaluate("window.seen")
    first: dict[str, float] = {}  # when the caption first told each step (it is redrawn on every event)
    for c in seen["captions"]:
        if c["index"]:
            first.setdefault(c["index"], c["at"])
    assert list(first) == ["0", "1", "2", "3", "4", "5"]
    run = hub.admin("GET", "/scenario-runs")["items"][0]
    assert run["pace"] == 1
    # N steps at pace 1 take at least N-1 s: on the hub's clock, which paces the run (the page's own clock
    # only sees when each event arrived, later by however busy the machine is)
    assert run["ended_ms"] - run["started_ms"] >= 5 * 1000
    assert sorted(first.values()) == list(first.values())  # and the caption told them in that order
    calls = [t for t in seen["trails"] if t["service"]]
    assert len(calls) == 4
    assert all(t["service"] == t["captionService"] for t in calls), calls


def test_pause_and_resume_hold_the_run(page: Any, hub: HubHandle) -> None:
    needs(hub, "POST", "/api/v1/scenario-runs/{id}/pause")
    page.select_option("#scenario-select", "identity-check")
    page.click("#play")
    page.wait_for_selector("#pause:not([hidden])")
    page.click("#pause")
    page.wait_for_selector("#pause[aria-pressed=true]")
    run = hub.admin("GET", "/scenario-runs")["items"][0]
    assert run["paused"] is True and run["state"] == "running"
    before = float(page.get_attribute("#pace-value", "data-pace"))
    page.click("#slower")  # the run's own pace changes (PATCH), for every screen following it
    page.wait_for_selector(f"#pace-value:not([data-pace='{before:g}'])")
    slower = float(page.get_attribute("#pace-value", "data-pace"))
    assert slower > before and hub.admin("GET", f"/scenario-runs/{run['id']}")["pace"] == slower
    page.click("#pause")
    page.wait_for_selector("#pause[aria-pressed=false]")
    page.click("#stop")
    page.wait_for_selector("#run-state[data-state=stopped]")


def test_the_map_draws_each_exchange_to_where_it_was_decided(page: Any, hub: HubHandle) -> None:
    """identity-check: the lookup reaches the population database; the other province's lookup stops at
    NGSP, which refused it. death-registration: the unknown person's refusal (error 106) is drawn as a
    refusal at the provider, though HTTP said 200."""
    needs(hub, "GET", "/api/v1/messages", ("MessageSummary", "decidedBy"))
    page.evaluate(RECORDER)
    page.select_option("#scenario-select", "identity-check")
    page.click("#play")
    page.wait_for_selector("#run-state[data-state=passed]")
    trails = [(t["decidedBy"], t["cls"]) for t in page.evaluate("window.seen.trails")]
    # live exchanges carry their wire style too (the feed's restPath): these are /r1 calls
    assert trails[0] == ("provider", "trail ok xroad") and trails[3] == ("hub", "trail refused xroad"), trails
    decided = [page.get_attribute(f"#timeline g.seq.call >> nth={i}", "data-decided-by") for i in range(4)]
    assert decided == ["provider", "provider", "provider", "hub"]  # the sequence diagram agrees with the map
    page.evaluate("window.seen.trails = []")
    page.select_option("#scenario-select", "death-registration")
    page.click("#play")
    page.wait_for_selector("#run-state[data-state=passed]")
    trails = [(t["decidedBy"], t["cls"]) for t in page.evaluate("window.seen.trails")]
    assert ("provider", "trail refused xroad") in trails, trails
    page.select_option("#f-status", "refused")
    assert page.locator("#messages tbody tr").count() >= 2
    assert page.locator("#messages tbody tr td.status.refused").count() >= 2


def test_the_faults_tab_follows_changes_made_elsewhere(page: Any, hub: HubHandle) -> None:
    needs(hub, "POST", "/api/v1/reset")  # the `faults` feed event comes with the same server side
    page.click("[data-tab=faults]")
    hub.inject_fault("elsewhere", POPULATION, "outage")
    page.wait_for_selector("#faults tr[data-fault=elsewhere]")  # no click: the feed said so
    assert page.get_attribute(f'#map .node[data-id="{POPULATION}"]', "data-trouble") == "fault"
    hub.clear_fault("elsewhere")
    page.wait_for_selector("#faults tr[data-fault=elsewhere]", state="detached")


def test_reset_starts_a_new_session_and_shows_only_it(page: Any, hub: HubHandle) -> None:
    needs(hub, "POST", "/api/v1/reset")
    call(hub, MOTCUA_HCM, f"{POPULATION}/TraCuuThongTinCongDan", {"MaYeuCau": "before"})
    page.wait_for_selector("#messages tbody tr")
    hub.inject_fault("left-over", POPULATION, "outage")
    page.click("#reset")
    page.wait_for_selector("#messages tbody tr", state="detached")
    assert hub.admin("GET", "/faults")["items"] == []
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("#messages tbody tr").count() == 0  # the log keeps it; the dashboard shows this session
    call(hub, MOTCUA_HCM, f"{POPULATION}/TraCuuThongTinCongDan", {"MaYeuCau": "after"})
    page.wait_for_selector("#messages tbody tr")
    assert page.locator("#messages tbody tr").count() == 1


def test_vietnamese_mode_explains_errors_with_the_glossary(page: Any, hub: HubHandle) -> None:
    needs(hub, "GET", "/api/v1/glossary")
    page.select_option("#scenario-select", "identity-check")
    page.click("#play")
    page.wait_for_selector("#run-state[data-state=passed]")
    steps = page.text_content("#steps")
    assert "expected" not in steps and "Thuyết minh" not in steps  # plain Vietnamese, not developer text
    page.select_option("#f-status", "refused")
    page.click("#messages tbody tr >> nth=0")
    body = page.wait_for_selector("#inspector .kv")
    assert "Server.ServerProxy.AccessDenied" in body.text_content()
    assert "không có quyền truy cập" in body.text_content().lower()  # the glossary's name and meaning
    for english in ("messageId", "faultString", "requestInTs", "provider"):
        assert english not in page.text_content("#inspector .kv >> nth=0"), english
