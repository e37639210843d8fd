"""What the dashboard's browser tests share: Debian's Chromium driven by Playwright (never a downloaded
browser), a hub on a loopback port, a signed-in page that fails its test on any page error, and axe-core
(installed from npm by ``make browser-tools`` into the git-ignored ``.lint/axe/``).

A tool that is missing skips the test with one line saying how to get it; with ``CI=true`` it fails
instead (``tests.helpers.missing_tool``), so CI can never pass by skipping.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ngsp_sim.config import HubConfig, SecurityConfig
from ngsp_sim.testing.embedded import EmbeddedHub, HubHandle
from tests.helpers import missing_tool

__all__ = [
    "AXE",
    "DOCS_IMG",
    "POPULATION",
    "TRAIL_RECORDER",
    "browser",
    "call",
    "hub",
    "missing_axe",
    "open_page",
    "page",
    "shot",
]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).parent.parent
SHOTS = Path(os.environ.get("NGSP_SIM_SCREENSHOTS", ROOT / ".artifacts" / "screenshots"))
DOCS_IMG = ROOT / "docs" / "img"  # screenshots the README shows
AXE = ROOT / ".lint" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
POPULATION = "VN/GOV/000.00.00.G01/CSDLQGDC"
TRAIL_RECORDER = """() => {
  window.trails = [];
  new MutationObserver((changes) => {
    for (const c of changes) for (const n of c.addedNodes) if (n.tagName === "polyline")
      window.trails.push({ service: n.dataset.service, decidedBy: n.dataset.decidedBy, points: n.getAttribute("points") });
  }).observe(document.querySelector("#map"), { childList: true, subtree: true });
}"""
"""Run in a dashboard page (``page.evaluate``): records each trail the map draws in ``window.trails``, with
its service, where it was decided and its points."""


def needs(hub: HubHandle, method: str, path: str, field: tuple[str, str] | None = None) -> None:
    """Skip unless the hub's admin API offers ``method path`` (and, given, the model's field), read from
    its own OpenAPI document: the dashboard side of a feature can land before its server side does
    (issue 19: branch ``room``)."""
    spec = hub.admin("GET", "/openapi.json")
    if method.lower() not in spec["paths"].get(path, {}):
        pytest.skip(f"this hub has no {method} {path} yet (the server side of issue 19)")
    if field and field[1] not in spec["components"]["schemas"].get(field[0], {}).get("properties", {}):
        pytest.skip(f"this hub's {field[0]} has no {field[1]} yet (the server side of issue 19)")


def _browser_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright; make test installs it)"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run installs it)"
    return None


def missing_axe() -> str | None:
    return None if AXE.exists() else f"axe-core is not installed at {AXE} (make browser-tools; .ci/run runs it)"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if missing := _browser_missing():
        missing_tool(f"the browser tests: {missing}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def hub() -> Iterator[HubHandle]:
    with EmbeddedHub(HubConfig(port=0, population=50, security=SecurityConfig(kdf_cost=2**10))) as handle:
        yield handle


def _failed(request: Any, errors: list[str]) -> None:
    """A request that failed, unless it is the live feed or one the browser cancelled because the page
    was closing (the end of a test can fall while a refresh is under way)."""
    if "/events" not in request.url and request.failure != "net::ERR_ABORTED":
        errors.append(f"request failed: {request.url} ({request.failure})")


def open_page(browser: Any, hub: HubHandle, errors: list[str], view: str = "", **context: Any) -> Any:
    """A signed-in dashboard page (``view``: "presenter" for /ui/#presenter); page errors and failed
    requests (:func:`_failed`) are appended to ``errors``."""
    page = browser.new_context(**{"viewport": {"width": 1440, "height": 1000}, **context}).new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("requestfailed", lambda req: _failed(req, errors))
    extra = f"{view}&" if view else ""
    page.goto(f"{hub.url}/ui/#{extra}token={hub.admin_token}")
    page.wait_for_selector("body[data-ready=true]")
    return page


@pytest.fixture
def page(browser: Any, hub: HubHandle) -> Iterator[Any]:
    errors: list[str] = []
    opened = open_page(browser, hub, errors)
    yield opened
    opened.context.close()
    assert errors == [], errors


def shot(page: Any, name: str, folder: Path = SHOTS) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name))


def call(hub: HubHandle, client: str, service: str, body: dict[str, Any], message_id: str | None = None) -> int:
    """One X-Road style request (``/r1`` with ``X-Road-Client``, and ``X-Road-Id`` when given): its status,
    whatever it is."""
    headers = {"X-Road-Client": client, "Content-Type": "application/json"}
    if message_id is not None:
        headers["X-Road-Id"] = message_id
    request = urllib.request.Request(  # noqa: S310  the embedded hub's loopback address
        f"{hub.url}/r1/{service}", data=json.dumps(body).encode(), method="POST", headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:  # noqa: S310
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code
