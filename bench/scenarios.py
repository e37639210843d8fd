"""What a trainer's laptop does during a demo: each shipped scenario run in one embedded hub through
the admin API (the way the dashboard starts them), and the live feed's delay from an exchange to a
listener.

    python bench/scenarios.py [--rounds 5]

``online-fee-payment`` waits 5 s of hub time on purpose (the simulated citizen pays); its figure is
given without that wait.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from ngsp_sim.config import HubConfig, SecurityConfig
from ngsp_sim.scenarios import shipped
from ngsp_sim.testing.embedded import EmbeddedHub, HubHandle


def run_once(hub: HubHandle, name: str) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    run = hub.admin("POST", "/scenario-runs", {"scenario": name})
    while run["state"] in ("running", "waiting"):  # a benchmark polls; the tests follow the live feed
        time.sleep(0.002)
        run = hub.admin("GET", f"/scenario-runs/{run['id']}")
    return time.perf_counter() - started, run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    config = HubConfig(port=0, population=1000, security=SecurityConfig(kdf_cost=2**10))
    print(f"{'scenario':28} {'steps':>5} {'exchanges':>9} {'median ms':>10} {'max ms':>8}")
    with EmbeddedHub(config) as hub:
        for name, scenario in shipped().items():
            times, exchanges = [], 0
            for _ in range(args.rounds):
                seconds, run = run_once(hub, name)
                assert run["state"] == "passed", (name, run["steps"])
                waited = sum(s.wait.seconds or 0 for s in scenario.steps if s.wait is not None)
                times.append((seconds - waited) * 1000)
                exchanges = sum(len(s["messages"]) for s in run["steps"])
            print(f"{name:28} {len(scenario.steps):5} {exchanges:9} {statistics.median(times):10.1f} {max(times):8.1f}")


if __name__ == "__main__":
    main()
