"""Profile the hub's routing hot path with py-spy while wrk drives the population lookup.

    .venv/bin/pip install py-spy && .venv/bin/python bench/profile_hub.py [--seconds 8] [--message-log on|off]

Prints the functions with the most samples, by own time and by inclusive time, and writes the raw
collapsed stacks (for flamegraph tools) next to a temporary data directory. Loopback only; bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import shutil
import sys
import tempfile
from pathlib import Path

import orjson
from routing import LAST_PID, LOOKUP, drive_wrk, process

URL = "/r1/VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan"


def summarise(collapsed: Path, top: int) -> None:
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        samples = int(count)
        total += samples
        own[frames[-1]] += samples
        for frame in set(frames):
            inclusive[frame] += samples
    print(f"{total} samples")
    for title, counter in (("own time", own), ("inclusive time", inclusive)):
        print(f"\ntop {top} by {title}:")
        for frame, samples in counter.most_common(top):
            print(f"  {samples / total:6.1%}  {frame}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--message-log", choices=["on", "off"], default="on")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        sys.exit("install py-spy first: .venv/bin/pip install py-spy")
    asyncio.run(profile(args, spy))


async def profile(args: argparse.Namespace, spy: str) -> None:
    work = Path(tempfile.mkdtemp(prefix="ngsp-profile-"))
    out = work / "hub.collapsed"
    headers = {"Content-Type": "application/json", "X-Road-Client": "VN/GOV/000.00.00.H29/MOTCUA"}
    async with process("up", "--port", "0", "--data-dir", str(work), "--message-log", args.message_log) as hub:
        pid = LAST_PID[0]
        load = asyncio.create_task(drive_wrk(hub + URL, orjson.dumps(LOOKUP), headers, 32, args.seconds + 2))
        await asyncio.sleep(3)  # let the warm-up run finish before sampling; not synchronisation of results
        spy_proc = await asyncio.create_subprocess_exec(
            spy,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(args.seconds),
            "--format",
            "raw",
            "--output",
            str(out),
            "--nonblocking",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        await spy_proc.wait()
        result = await load
    print(f"routed: {result.rps:.0f} req/s, p50 {result.p50_ms:.2f} ms (while profiled); stacks in {out}")
    summarise(out, args.top)


if __name__ == "__main__":
    main()
