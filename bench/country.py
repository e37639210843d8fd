"""Synthetic-country benchmark: time and memory to generate N citizens, alone and inside a running hub.

.venv/bin/python bench/country.py [--population 100000]
"""

from __future__ import annotations

import argparse
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time

from ngsp_sim.sim import Country


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--population", type=int, default=100_000)
    args = parser.parse_args()

    began = time.perf_counter()
    country = Country.generate(20251121, args.population)
    seconds = time.perf_counter() - began
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"generated {len(country.citizens):,} citizens, {len(country.businesses):,} businesses in {seconds:.2f} s; "
        f"generator process max RSS {rss:.0f} MB"
    )

    began = time.perf_counter()
    hub = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ngsp_sim",
            "up",
            "--port",
            "0",
            "--population",
            str(args.population),
            "--data-dir",
            tempfile.mkdtemp(prefix="ngsp-bench-"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert hub.stdout is not None
        hub.stdout.readline()
        ready = time.perf_counter() - began
        with open(f"/proc/{hub.pid}/status") as status:
            hub_rss = int(re.search(r"VmRSS:\s+(\d+)", status.read())[1]) / 1024  # type: ignore[index]
        print(f"ngsp-sim up --population {args.population}: listening after {ready:.1f} s, RSS {hub_rss:.0f} MB")
    finally:
        hub.send_signal(signal.SIGTERM)
        hub.wait(30)


if __name__ == "__main__":
    main()
