"""The dashboard in a real headless Chromium (Debian's, never a downloaded one), against a hub on a
loopback port: sign in, play a scenario, watch its exchanges in the list and on the map, inspect one,
step through another, inject and clear a fault, switch language and type size.

Screenshots go to ``$NGSP_SIM_SCREENSHOTS`` (default ``.artifacts/screenshots``); the README shows two.
"""

from __future__ import annotations

import http.server
import re
import threading
import urllib.request
from importlib import resources
from typing import Any

from ngsp_sim.testing.embedded import HubHandle
from tests.browser import POPULATION, browser, call, hub, page, shot

__all__ = ["browser", "hub", "page"]  # the fixtures this module uses

BUSINESS = "VN/GOV/000.00.00.G12/CSDLDKDN/chiTietDoanhNghiep"
IMPORT = re.compile(r'^\s*(?:import|export)\b[^;]*?\bfrom\s+"(\./[\w.-]+)"|<script type="module" src="([\w.-]+)"', re.M)


def test_every_dashboard_module_is_served_as_javascript_under_the_strict_policy(hub: HubHandle) -> None:
    """The page is native ES modules: a browser refuses a module served with a non-JavaScript type, and
    the policy must allow them from 'self' only. Following the imports from index.html reaches exactly
    the modules shipped in the package: none missing, none shipped and dead."""
    shipped = {f.name for f in resources.files("ngsp_sim").joinpath("ui").iterdir() if f.name.endswith(".js")}
    reached: set[str] = set()
    pending = ["index.html"]
    while pending:
        name = pending.pop()
        with urllib.request.urlopen(f"{hub.url}/ui/{name}", timeout=10) as resp:  # noqa: S310  loopback
            policy = resp.headers["Content-Security-Policy"]
            assert "script-src 'self';" in policy and "default-src 'none'" in policy
            assert resp.headers["X-Content-Type-Options"] == "nosniff"
            if name.endswith(".js"):
                assert resp.headers.get_content_type() == "text/javascript", name
            text = resp.read().decode()
        for found in IMPORT.finditer(text):
            module = (found.group(1) or found.group(2)).removeprefix("./")
            if module not in reached:
                reached.add(module)
                pending.append(module)
    assert "main.js" in reached and len(reached) >= 8
    assert reached == shipped


def test_sign_in_is_needed_and_a_wrong_token_is_refused(browser: Any, hub: HubHandle) -> None:
    page = browser.new_page()
    page.goto(f"{hub.url}/ui/")
    page.wait_for_selector("#login:not([hidden])")
    page.fill("#token", "not-the-token")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#login-error:has-text('Khóa không đúng')")
    page.fill("#token", hub.admin_token)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("body[data-ready=true]")
    assert page.is_hidden("#login")
    assert page.evaluate("location.hash") == ""  # nothing of the token in the address bar
    page.close()


def test_play_a_scenario_and_see_it_in_the_list_on_the_map_and_in_the_inspector(page: Any, hub: HubHandle) -> None:
    assert page.locator("#map .node").count() >= 15
    assert page.text_content("header h1") == "ngsp-sim Bảng điều khiển nền tảng tích hợp"
    page.select_option("#scenario-select", "identity-check")
    page.click("#play")
    page.wait_for_selector("#run-state[data-state=passed]")
    assert page.locator("#steps li[data-status=passed]").count() == 6
    assert "Mỗi lần trao đổi đều được ghi nhật ký" in page.text_content("#narration")
    # its four exchanges are in the list, newest first, and have crossed the map (the feed is one ordered
    # stream: each exchange comes before the end of its step)
    services = page.locator("#messages tbody tr td:nth-child(3)").all_text_contents()
    assert services[:4] == [
        "CSDLQGDC/TraCuuThongTinCongDan",
        "CSDLQGDC/XacThucThongTinCongDan",
        "CSDLQGDC/XacThucThongTinCongDan",
        "CSDLQGDC/TraCuuThongTinCongDan",
    ]
    # three reach the population database; the refused lookup stops at NGSP where it was decided (on a hub
    # that says where, `decidedBy`; an older one drew it to the provider)
    assert page.get_attribute(f'#map .node[data-id="{POPULATION}"]', "data-count") in ("3", "4")
    thanh_hoa = page.get_attribute('#map .node[data-id="VN/GOV/000.00.00.H56/MOTCUA"]', "data-count")
    assert thanh_hoa == "1"
    shot(page, "dashboard-scenario.png")
    # the refused lookup, found with the filter, opened in the inspector
    page.fill("#f-text", "AccessDenied")
    assert page.locator("#messages tbody tr:not(.ok)").count() == 1
    page.click("#messages tbody tr")
    page.wait_for_selector("#inspector:not([hidden]) >> text=Server.ServerProxy.AccessDenied")
    assert "VN/GOV/000.00.00.H56/MOTCUA" in page.text_content("#inspector-body")
    page.click("#inspector-close")


def test_the_inspector_marks_an_observed_answers_violations_on_the_client_response(page: Any, hub: HubHandle) -> None:
    """Observe mode passes a schema-breaking answer on; its violations are marked where they are."""
    answer = b'{"Status": 7}'

    class Provider(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            """Quiet: the test checks what the hub logged, not the provider."""

    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), Provider) as provider:
        threading.Thread(target=provider.serve_forever, daemon=True).start()
        endpoint = f"http://127.0.0.1:{provider.server_address[1]}"
        hub.admin("PUT", f"/services/{BUSINESS}", {"adapter": "business", "endpoint": endpoint, "mode": "observe"})
        request = urllib.request.Request(  # noqa: S310  loopback
            f"{hub.url}/r1/{BUSINESS}?msdn=0312345673", headers={"X-Road-Client": "VN/GOV/000.00.00.H29/MOTCUA"}
        )
        with urllib.request.urlopen(request, timeout=10) as resp:  # noqa: S310
            assert resp.headers["X-NGSP-Violations"] == "1"
        provider.shutdown()
    page.click("#lang-en")
    page.wait_for_selector("#messages tbody tr")
    page.click("#messages tbody tr")
    marked = page.wait_for_selector('#inspector .bodies > div:nth-child(4) .violation[data-pointer="/Status"]')
    assert marked.text_content().strip() == '"Status": 7'
    assert "[response] /Status" in page.text_content("#inspector .violations")
    assert page.locator("#inspector .bodies > div:nth-child(1) .violation").count() == 0


def test_the_inspector_highlights_violations_on_the_payload(page: Any, hub: HubHandle) -> None:
    page.click("#lang-en")
    lookup = {
        "MaYeuCau": "YC-9",
        "MaDVC": "1.001612",
        "MaTichHop": "037",
        "MaCanBo": "c",
        "MaDonVi": "000.00.00.H29",
        "SoDinhDanh": "12345",
    }
    call(hub, "VN/GOV/000.00.00.H29/MOTCUA", f"{POPULATION}/TraCuuThongTinCongDan", lookup)
    page.wait_for_selector("#messages tbody tr:not(.ok)")
    page.click("#messages tbody tr:not(.ok)")
    marked = page.wait_for_selector('#inspector .violation[data-pointer="/SoDinhDanh"]')
    assert '"12345"' in marked.text_content()
    assert "Schema violations" in page.text_content("#inspector-body")
    assert "Client request (before the adapter)" in page.text_content("#inspector-body")
    assert "Client.SchemaViolation" in page.text_content("#inspector-body")
    shot(page, "dashboard-inspector.png")


def test_step_through_a_scenario_with_its_narration(page: Any) -> None:
    page.click("#lang-en")
    page.select_option("#scenario-select", "dossier-sync-dvcqg")
    page.click("#step")
    page.wait_for_selector("#run-state[data-state=waiting]")
    assert page.text_content("#narration") == ""  # nothing has happened yet: the caption waits for it
    assert page.text_content("#up-next").startswith("Next step: ")
    assert page.text_content("#step") == "» Next step"
    page.click("#step")  # the narration
    page.wait_for_selector("#steps li[data-index='0'][data-status=passed]")
    page.wait_for_selector("#steps li[data-index='1'][data-status=waiting]")
    assert page.text_content("#narration").startswith("A citizen files a permanent residence application")
    page.click("#step")  # the handover from DVCQG: the caption tells the step that ran, not the one ahead
    page.wait_for_selector("#steps li[data-index='1'][data-status=passed]")
    assert "verifies the applicant" in page.text_content("#narration")
    assert page.get_attribute("#steps li.current", "data-index") == "1"
    page.click("#stop")
    page.wait_for_selector("#run-state[data-state=stopped]")
    assert page.locator("#steps li[data-status=skipped]").count() == 5


def test_faults_and_health_tabs_inject_and_clear(page: Any, hub: HubHandle) -> None:
    page.click("#lang-en")
    page.click("[data-tab=faults]")
    page.fill("#fault-id", "ui-outage")
    page.select_option("#fault-target", POPULATION)
    page.select_option("#fault-kind", "outage")
    page.click("#fault-form button[type=submit]")
    page.wait_for_selector("#faults tr[data-fault=ui-outage]")
    assert [f["id"] for f in hub.admin("GET", "/faults")["items"]] == ["ui-outage"]
    call(hub, "VN/GOV/000.00.00.H29/MOTCUA", f"{POPULATION}/TraCuuThongTinCongDan", {"MaYeuCau": "x"})
    page.click("[data-tab=health]")
    page.wait_for_selector("#health tr[data-service]")
    page.click("[data-tab=faults]")
    page.click("#faults tr[data-fault=ui-outage] button.clear-fault")
    page.wait_for_selector("#faults tr[data-fault=ui-outage]", state="detached")
    assert hub.admin("GET", "/faults")["items"] == []


def test_language_and_large_type_switches(page: Any) -> None:
    page.click("#lang-en")
    assert page.text_content("header h1") == "ngsp-sim Integration platform dashboard"
    assert page.evaluate("document.documentElement.lang") == "en"
    options = page.locator("#scenario-select option").all_text_contents()
    assert "Identity check at a one-stop counter" in options
    lines = page.locator(f'#map .node[data-id="{POPULATION}"] text tspan').all_text_contents()
    assert " ".join(lines).startswith("CSDLQGDC · National Population")
    page.click("#lang-vi")
    assert "Xác thực công dân tại bộ phận một cửa" in page.locator("#scenario-select option").all_text_contents()
    sizes = """['body', 'header h1', '#player h2', '#messages th', '#narration']
        .map((s) => parseFloat(getComputedStyle(document.querySelector(s)).fontSize))"""
    small = page.evaluate(sizes)
    page.click("#large")
    large = page.evaluate(sizes)
    assert page.get_attribute("#large", "aria-pressed") == "true"
    assert all(b > a for a, b in zip(small, large, strict=True)), (small, large)  # everything grows, not one panel
    body, h1, h2 = large[:3]
    assert h1 >= body and h2 >= body  # headings never come out smaller than the text under them
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert page.evaluate("document.documentElement.classList.contains('large')")  # remembered, like the language
    assert page.text_content("header h1") == "ngsp-sim Bảng điều khiển nền tảng tích hợp"
