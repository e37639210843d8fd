"""The connection attack of issue 15 (finding 6), replayed against a real ``ngsp-sim up`` on loopback:
N idle connections under a 1,024-file limit, and slowloris connections sending one header byte a
second. Prints what the attackers got, whether the demo lookup was answered during and after, how
long the slow connections lived, and how much the hub wrote to standard error.

    python bench/connections.py [--idle 1100] [--slow 5]

Loopback only; bounded: every connection is closed by the hub within its header deadline (10 s by
default), and the script stops the hub when done.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.helpers import MOTCUA, POPULATION, lookup_body
from tests.processes import start, stop

FILES = 1024


def _limit_files() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (FILES, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))


async def _lookup(url: str) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session,
            session.post(f"{url}{POPULATION}", json=lookup_body(), headers={"X-Road-Client": MOTCUA}) as resp,
        ):
            await resp.read()
            return resp.status, time.perf_counter() - started
    except (TimeoutError, aiohttp.ClientError):
        return 0, time.perf_counter() - started


async def _slow(host: str, port: int) -> float:
    """One header byte a second until the hub closes the connection; how long it lived."""
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(host, port)
    answer = asyncio.ensure_future(reader.read())
    for byte in b"GET / HTTP/1.1\r\nHost: hub\r\nX-Slow: " + b"a" * 120:
        if answer.done():
            break
        writer.write(bytes([byte]))
        await asyncio.wait([answer], timeout=1.0)
    writer.close()
    return time.perf_counter() - started


async def main(idle: int, slow: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, idle + 256)), hard))  # the attacker's own
    with tempfile.TemporaryDirectory() as data:
        hub = await start("up", "--port", "0", "--data-dir", data, "--log-format", "json", preexec=_limit_files)
        host, port = hub.url.removeprefix("http://").rsplit(":", 1)
        try:
            started = time.perf_counter()
            held = [await asyncio.open_connection(host, int(port)) for _ in range(idle)]
            during = await _lookup(hub.url)
            answers = await asyncio.gather(*(asyncio.wait_for(r.read(), 60) for r, _ in held))
            flood = time.perf_counter() - started
            for _, writer in held:
                writer.close()
            after = await _lookup(hub.url)
            lived = await asyncio.gather(*(_slow(host, int(port)) for _ in range(slow)))
            final = await _lookup(hub.url)
        finally:
            await stop(hub)
    refused = sum(a.startswith(b"HTTP/1.1 503 ") for a in answers)
    timed_out = sum(a.startswith(b"HTTP/1.1 408 ") for a in answers)
    lines = hub.stderr.decode().splitlines()
    print(f"idle connections under a {FILES}-file limit: {idle}")
    print(f"  refused at once (503):          {refused}")
    print(f"  closed by the header deadline:  {timed_out}")
    print(f"  other:                          {idle - refused - timed_out}")
    print(f"  all closed after:               {flood:.1f} s")
    print(f"  demo lookup during the flood:   {during[0] or 'no answer'} in {during[1] * 1000:.0f} ms")
    print(f"  demo lookup after the flood:    {after[0] or 'no answer'} in {after[1] * 1000:.0f} ms")
    print(f"slowloris connections (1 header byte/s): {slow}")
    print(f"  lived:                          {', '.join(f'{s:.1f}' for s in lived)} s")
    print(f"  demo lookup afterwards:         {final[0] or 'no answer'} in {final[1] * 1000:.0f} ms")
    print(f"standard error: {len(lines)} lines, {len(hub.stderr):,} bytes")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=int, default=1100)
    parser.add_argument("--slow", type=int, default=5)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.idle, arguments.slow))
