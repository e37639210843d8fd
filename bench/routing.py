"""Routing benchmark: the population lookup (037) through the hub vs. straight to the simulated agency.

Starts two real processes on loopback, `ngsp-sim up` and `ngsp-sim agency run population`, then
drives each with the same number of concurrent connections and prints requests/s and latency
percentiles. The load generator is `wrk` when it is installed (Debian package `wrk`; it costs the
servers far less CPU), else an aiohttp client. Bounded: `--seconds` per target with wrk, a fixed
number of requests (and a time cap) with aiohttp; everything stops by itself.

    .venv/bin/python bench/routing.py [--concurrency 32] [--seconds 10] [--message-log on|off] [--json]

The load generator shares the machine with the servers (2 cores here), so absolute figures are a
floor; compare figures taken in one run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from typing import Any

import aiohttp
import orjson
from cpu import cpu_seconds, tree

from adapters.soap import build_envelope
from schemas.population import NAMESPACE

LOOKUP = {
    "MaYeuCau": "BENCH",
    "MaDVC": "1.001612",
    "MaTichHop": "037",
    "MaCanBo": "bench",
    "MaDonVi": "000.00.00.H29",
    "SoDinhDanh": "079090001234",
}


@dataclass
class Result:
    target: str
    concurrency: int
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    cpu_us: float = 0.0
    """CPU time of the server processes per request, in microseconds (0: not measured)."""


PIN = shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2
LAST_PID: list[int] = [0]  # the pid of the newest process() (for bench/profile_hub.py)


@asynccontextmanager
async def process(*args: str, cpus: str = "0") -> AsyncIterator[str]:
    """Start an ngsp-sim process (pinned to ``cpus`` when possible, by default CPU 0, away from the load
    generator); its pid is ``LAST_PID[0]`` (with ``up --workers N``, the supervisor's: :mod:`cpu` counts
    its workers with it)."""
    proc = await asyncio.create_subprocess_exec(
        *(["taskset", "-c", cpus] if PIN else []),
        sys.executable,
        "-m",
        "ngsp_sim",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    LAST_PID[0] = proc.pid
    try:
        while True:
            line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
            if not line:
                raise RuntimeError(f"{args} exited before listening")
            if match := re.search(r"(http://127\.0\.0\.1:\d+)", line):
                break
        yield match.group(1)
    finally:
        await stop(proc.pid, proc)


async def stop(pid: int, proc: asyncio.subprocess.Process, grace: float = 60.0) -> None:
    """SIGTERM, then wait ``grace`` seconds for the process (and its workers) to drain and stop; one that
    does not is killed with everything below it, and the bench says so on standard error."""
    proc.terminate()
    try:
        await asyncio.wait_for(proc.wait(), grace)
    except TimeoutError:
        below = tree([pid])
        print(f"warning: pid {pid} did not stop within {grace:g} s of SIGTERM; killed {below}", file=sys.stderr)
        for each in below:
            with contextlib.suppress(ProcessLookupError):
                os.kill(each, signal.SIGKILL)
        await proc.wait()


async def drive(
    url: str, body: bytes, headers: dict[str, str], concurrency: int, total: int, cap: float, pid: int = 0
) -> Result:
    """``total`` requests with an aiohttp client; ``cpu_us`` is process ``pid``'s (default: the newest
    :func:`process`)."""
    pid = pid or LAST_PID[0]
    latencies: list[float] = []
    errors = 0
    remaining = total
    deadline = time.perf_counter() + cap
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal remaining, errors
            while remaining > 0 and time.perf_counter() < deadline:
                remaining -= 1
                start = time.perf_counter()
                async with session.post(url, data=body, headers=headers) as resp:
                    await resp.read()
                    if resp.status != 200:
                        errors += 1
                latencies.append(time.perf_counter() - start)

        # Warm up connections and caches, not counted.
        warm, remaining = remaining, min(200, total)
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        latencies.clear()
        errors, remaining = 0, warm
        began, cpu = time.perf_counter(), cpu_seconds([pid])
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed, cpu = time.perf_counter() - began, cpu_seconds([pid]) - cpu
    q = statistics.quantiles(latencies, n=100)
    return Result(
        url,
        concurrency,
        len(latencies),
        errors,
        elapsed,
        len(latencies) / elapsed,
        q[49] * 1000,
        q[98] * 1000,
        cpu / len(latencies) * 1e6,
    )


WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = [[{body}]]
{headers}
"""


async def drive_wrk(
    url: str,
    body: bytes,
    headers: dict[str, str],
    concurrency: int,
    seconds: float,
    *,
    servers: Sequence[int] = (),
    runs: int = 1,
) -> Result:
    """wrk on ``url``: a 2 s warm-up, then ``runs`` runs of ``seconds``; the median of each figure. With
    ``servers`` (root pids), the CPU time those processes and their children spent per request."""
    script = WRK_SCRIPT.format(
        body=body.decode(), headers="\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items())
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    measured: list[Result] = []
    try:
        await _wrk(url, handle.name, concurrency, 2)  # warm-up, not counted
        for _ in range(runs):
            before = cpu_seconds(servers) if servers else 0.0
            result = await _wrk(url, handle.name, concurrency, seconds)
            if servers and result.requests:
                result.cpu_us = (cpu_seconds(servers) - before) / result.requests * 1e6
            measured.append(result)
    finally:
        os.unlink(handle.name)
    return Result(
        url,
        concurrency,
        sum(r.requests for r in measured),
        sum(r.errors for r in measured),
        seconds * runs,
        statistics.median(r.rps for r in measured),
        statistics.median(r.p50_ms for r in measured),
        statistics.median(r.p99_ms for r in measured),
        statistics.median(r.cpu_us for r in measured),
    )


async def _wrk(url: str, script: str, concurrency: int, seconds: float) -> Result:
    proc = await asyncio.create_subprocess_exec(
        *(["taskset", "-c", "1"] if PIN else []),
        "wrk",
        "-t",
        "1",
        "-c",
        str(concurrency),
        "-d",
        f"{int(seconds)}s",
        "--latency",
        "-s",
        script,
        url,
        stdout=asyncio.subprocess.PIPE,
    )
    out = (await asyncio.wait_for(proc.communicate(), seconds + 60))[0].decode()
    if "Requests/sec" not in out:
        raise RuntimeError(f"wrk failed:\n{out}")

    def ms(label: str) -> float:
        match = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if match is None:
            raise RuntimeError(f"wrk printed no {label} latency:\n{out}")
        return float(match[1]) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[match[2]]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    total = int(re.search(r"(\d+) requests in", out)[1])  # type: ignore[index]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = int(bad[1]) if bad else 0
    return Result(url, concurrency, total, errors, seconds, rps, ms("50%"), ms("99%"))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--cap", type=float, default=60.0, help="seconds at most per target")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--message-log", choices=["on", "off"], default="on", help="the hub's message log")
    parser.add_argument(
        "--compare-log",
        type=int,
        metavar="N",
        default=0,
        help="instead: N alternating routed runs with the message log off and on; medians and the cost",
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds per target with wrk")
    parser.add_argument("--port", type=int, default=0, help="the hub's port (the agency's is the next); 0: any free")
    parser.add_argument("--client", choices=["wrk", "aiohttp"], default="wrk" if shutil.which("wrk") else "aiohttp")
    args = parser.parse_args()

    soap = build_envelope("TraCuuThongTinCongDan", NAMESPACE, LOOKUP)
    soap_headers = {"Content-Type": "text/xml; charset=utf-8"}
    json_headers = {"Content-Type": "application/json", "X-Road-Client": "VN/GOV/000.00.00.H29/MOTCUA"}

    async def load(url: str, body: bytes, headers: dict[str, str]) -> Result:
        if args.client == "wrk":  # called inside process(): LAST_PID is the server's
            return await drive_wrk(url, body, headers, args.concurrency, args.seconds, servers=LAST_PID[:])
        return await drive(url, body, headers, args.concurrency, args.requests, args.cap)

    if args.compare_log:
        await compare_log(args, load, json_headers)
        return
    results = []
    async with process("agency", "run", "population", "--port", str(args.port and args.port + 1)) as agency:
        results.append(await load(f"{agency}/dancuquocgia/ws", soap, soap_headers))
    data_dir = tempfile.mkdtemp(prefix="ngsp-bench-")
    async with process(
        "up", "--port", str(args.port), "--data-dir", data_dir, "--message-log", args.message_log
    ) as hub:
        url = f"{hub}/r1/VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan"
        results.append(await load(url, orjson.dumps(LOOKUP), json_headers))
    direct, routed = results
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2))
        return
    amount = f"{args.seconds:g} s each" if args.client == "wrk" else f"{args.requests} requests each"
    print(f"population lookup (037), {args.concurrency} connections ({args.client}), {amount}")
    print(f"message log {args.message_log}; " + ("server on CPU 0, load generator on CPU 1" if PIN else "unpinned"))
    print(f"{'target':<10} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'CPU us/req':>11}")
    for name, r in (("direct", direct), ("routed", routed)):
        print(f"{name:<10} {r.rps:>9.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {r.errors:>7} {r.cpu_us:>11.0f}")
    print(f"routed/direct throughput: {routed.rps / direct.rps:.0%}; added p50: {routed.p50_ms - direct.p50_ms:.2f} ms")


async def compare_log(args: argparse.Namespace, load: Any, headers: dict[str, str]) -> None:
    """Alternate off/on so that drift of the machine hits both alike; report medians."""
    rates: dict[str, list[float]] = {"off": [], "on": []}
    cpu: dict[str, list[float]] = {"off": [], "on": []}
    for round_ in range(args.compare_log):
        for mode in ("off", "on"):
            data_dir = tempfile.mkdtemp(prefix="ngsp-bench-")
            async with process("up", "--port", str(args.port), "--data-dir", data_dir, "--message-log", mode) as hub:
                url = f"{hub}/r1/VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan"
                result = await load(url, orjson.dumps(LOOKUP), headers)
            rates[mode].append(result.rps)
            cpu[mode].append(result.cpu_us)
            print(
                f"round {round_ + 1} message log {mode:<3} {result.rps:>7.0f} req/s  p50 {result.p50_ms:.2f} ms"
                f"  CPU {result.cpu_us:.0f} us/req",
                flush=True,
            )
    off, on = statistics.median(rates["off"]), statistics.median(rates["on"])
    print(f"median req/s: message log off {off:.0f}, on {on:.0f}; logging costs {1 - on / off:.1%} of throughput")
    print(
        f"median hub CPU per request: message log off {statistics.median(cpu['off']):.0f} us, "
        f"on {statistics.median(cpu['on']):.0f} us"
    )


if __name__ == "__main__":
    asyncio.run(main())
