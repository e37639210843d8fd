"""The player knows the newer step kinds (issue 19), in a real headless Chromium, on the throttling story:
a ``throttle`` step marks the throttled service's node for as long as the run goes on, a wait counts its
seconds down in the caption, and a ``repeat``-ed call sends its packets one after another across the map."""

from __future__ import annotations

from typing import Any

from ngsp_sim.testing.embedded import HubHandle
from tests.browser import browser, hub, open_page

__all__ = ["browser", "hub"]  # the fixtures this module uses

DMDC = "VN/GOV/000.00.00.G22/DMDC"
ETHNIC_GROUPS = f"{DMDC}/danhMucDanToc"

# Records the trails the map draws for the ethnic-groups list, with their place in the queue.
RECORDER = f"""() => {{
  window.orders = [];
  new MutationObserver((changes) => {{
    for (const c of changes) for (const n of c.addedNodes)
      if (n.tagName === "polyline" && n.dataset.service === "{ETHNIC_GROUPS}") window.orders.push(n.dataset.order);
  }}).observe(document.querySelector("#map"), {{ childList: true, subtree: true }});
}}"""


def test_a_throttled_service_is_marked_and_a_wait_counts_down_in_the_caption(browser: Any, hub: HubHandle) -> None:
    errors: list[str] = []
    page = open_page(browser, hub, errors, "presenter", viewport={"width": 1280, "height": 720})
    page.click("#lang-en")
    page.evaluate(RECORDER)
    run = hub.admin("POST", "/scenario-runs", {"scenario": "throttling"})  # unpaced: the waits are the story's
    page.wait_for_selector("#countdown[data-seconds]")  # step 1 waits 3 s
    first = int(page.get_attribute("#countdown", "data-seconds"))
    assert 2 <= first <= 3  # seen as the 3 s begin
    assert page.text_content("#countdown") == f"{first} s left"
    node = f'#map .node[data-id="{DMDC}"]'
    assert page.get_attribute(node, "data-tier") == "provider-guard"
    lines = " ".join(page.locator(f"{node} text tspan").all_text_contents())
    assert lines.endswith("Throttled: provider-guard (danhMucDanToc)"), lines
    page.wait_for_selector(f"#countdown[data-seconds='{first - 1}']")  # a second later
    page.wait_for_selector(f"#run-state[data-run='{run['id']}'][data-state=passed]")
    assert page.text_content("#countdown") == "" and page.is_hidden("#countdown")
    assert page.get_attribute(node, "data-tier") is None  # the run ended: the tier was put back
    assert page.evaluate("window.orders")[:4] == ["0", "1", "2", "3"]  # repeat: 4, one packet after another
    page.context.close()
    assert errors == []
