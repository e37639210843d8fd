"""Issue 15 findings 9-11 measured as the attack was: two real hub processes on one SQLite store,
loopback only, bounded in count and time.

    python bench/auth_edges.py [--rounds 3]

Prints, per round, how long after ``ngsp-sim credentials rotate`` returned each replica still accepted
the old token; then 200 wrong ``/token`` secrets and 2,000 wrong admin tokens (statuses, rate, and
whether the right credentials from another address are served meanwhile); then the number of metrics
series before and after 50 requests to 50 services that do not exist.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from typing import Any

import aiohttp

ADMIN_TOKEN = secrets.token_urlsafe(24)
KEY, SECRET = "motcua-hcm", "demo-motcua-hcm-secret"
GATEWAY = "/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=0312345673"
GRANT = {"grant_type": "client_credentials"}
DRAINS: list[asyncio.Task[bytes]] = []


def basic(key: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()}


async def start_hub(data: str) -> tuple[asyncio.subprocess.Process, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ngsp_sim",
        "up",
        "--port",
        "0",
        "--population",
        "100",
        "--data-dir",
        data,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env={**os.environ, "NGSP_SIM_ADMIN_TOKEN": ADMIN_TOKEN},
    )
    assert process.stdout is not None
    while line := (await asyncio.wait_for(process.stdout.readline(), 60)).decode():
        if match := re.search(r"(http://127\.0\.0\.1:\d+)", line):
            DRAINS.append(asyncio.create_task(process.stdout.read()))  # keep the pipe drained
            return process, match.group(1)
    raise SystemExit("the hub exited before listening")


async def rotation_round(
    session: aiohttp.ClientSession, urls: list[str], data: str, secret: str
) -> tuple[str, list[float]]:
    """The old token is sent to both replicas every 20 ms from before the rotation starts; returns the
    new secret and, per replica, when (after the command returned) the old token was last accepted."""
    async with session.post(urls[0] + "/token", data=GRANT, headers=basic(KEY, secret)) as resp:
        token = (await resp.json())["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    accepted: dict[str, float] = {}
    refused: dict[str, asyncio.Event] = {url: asyncio.Event() for url in urls}

    async def poll(url: str) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            started = time.monotonic()
            async with session.get(url + GATEWAY, headers=bearer) as resp:
                if resp.status == 401:
                    refused[url].set()
                    return
                accepted[url] = started
            await asyncio.sleep(0.02)

    for url in urls:  # both replicas accept (and cache) it first
        async with session.get(url + GATEWAY, headers=bearer) as resp:
            assert resp.status == 200
    pollers = [asyncio.create_task(poll(url)) for url in urls]
    cli = [sys.executable, "-m", "ngsp_sim", "credentials", "rotate", KEY, "--data-dir", data]
    done = await asyncio.to_thread(subprocess.run, cli, capture_output=True, text=True, timeout=60, check=True)
    returned = time.monotonic()
    await asyncio.gather(*pollers)
    assert all(event.is_set() for event in refused.values()), "the old token was still accepted after 30 s"
    return done.stdout.rsplit(" ", 1)[1].strip(), [accepted[url] - returned for url in urls]


async def guesses(post: Any, count: int) -> tuple[Counter[int], float]:
    statuses: Counter[int] = Counter()
    started = time.perf_counter()
    for _ in range(count):
        statuses[await post()] += 1
    return statuses, count / (time.perf_counter() - started)


def series(text: str) -> int:
    return sum(1 for line in text.splitlines() if line and not line.startswith("#"))


async def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as data:
        hubs = [await start_hub(data), await start_hub(data)]
        urls = [url for _, url in hubs]
        admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        try:
            async with (
                aiohttp.ClientSession() as session,
                aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=("127.0.0.2", 0))) as elsewhere,
            ):
                secret = SECRET
                print("rotation: when the old token was last accepted, in seconds after `credentials rotate` returned")
                for n in range(rounds):
                    secret, last = await rotation_round(session, urls, data, secret)
                    print(f"  round {n + 1}: replica 1 {last[0]:+.2f} s, replica 2 {last[1]:+.2f} s")

                async def wrong_secret() -> int:
                    headers = basic(KEY, "wrong-" + secrets.token_hex(4))
                    async with session.post(urls[0] + "/token", data=GRANT, headers=headers) as resp:
                        return resp.status

                async def wrong_admin() -> int:
                    async with session.get(
                        urls[0] + "/api/v1/services", headers={"Authorization": "Bearer nope"}
                    ) as resp:
                        return resp.status

                for name, post, count in (
                    ("wrong /token secrets", wrong_secret, 200),
                    ("wrong admin tokens", wrong_admin, 2000),
                ):
                    statuses, rate = await guesses(post, count)
                    print(f"{count} {name}: {dict(sorted(statuses.items()))} at {rate:,.0f}/s")
                async with elsewhere.post(urls[0] + "/token", data=GRANT, headers=basic(KEY, secret)) as resp:
                    print(f"meanwhile, the right secret from 127.0.0.2: {resp.status}")
                async with elsewhere.get(urls[0] + "/metrics", headers=admin) as resp:
                    text = await resp.text()
                    print(f"meanwhile, the admin token from 127.0.0.2: {resp.status}")
                for line in text.splitlines():
                    if line.startswith("ngsp_auth_") and "_total" in line:
                        print("  " + line)
                before = series(text)
                for n in range(50):
                    url = f"{urls[0]}/r1/VN/GOV/000.00.00.X{n:02d}/NOPE/svc{n}"
                    async with session.get(url, headers={"X-Road-Client": f"VN/GOV/000.00.00.Y{n:02d}/NOPE"}):
                        pass
                async with elsewhere.get(urls[0] + "/metrics", headers=admin) as resp:
                    after = series(await resp.text())
                print(f"metrics series: {before} before, {after} after 50 requests to 50 unknown services and clients")
        finally:
            for process, _ in hubs:
                process.terminate()
                await process.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(main(parser.parse_args().rounds))
