"""The scale-out arrangement with real processes on loopback: two hub replicas on one PostgreSQL behind
nginx (Debian's), as docker-compose runs them; traffic is shared, and a replica going down is survived."""

from __future__ import annotations

import asyncio
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.helpers import ADMIN, ADMIN_TOKEN, MOTCUA, POPULATION, lookup_body, missing_tool
from tests.processes import start, stop

NGINX_CONF = """
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream hubs {{
        server 127.0.0.1:{first} max_fails=1 fail_timeout=30s;
        server 127.0.0.1:{second} max_fails=1 fail_timeout=30s;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://hubs;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_next_upstream error timeout;
        }}
    }}
}}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def nginx_binary() -> Iterator[str]:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        missing_tool("nginx is not installed (Debian package nginx), for the balancer test")
    yield found


def _requests_served(metrics_text: str) -> float:
    return sum(
        s.value
        for family in text_string_to_metric_families(metrics_text)
        for s in family.samples
        if s.name == "ngsp_requests_total"
    )


async def test_two_replicas_behind_nginx_share_traffic_and_survive_one_going_down(
    pg_url: str, nginx_binary: str, tmp_path: Path
) -> None:
    env = {"NGSP_SIM_ADMIN_TOKEN": ADMIN_TOKEN, "NGSP_SIM_STORE": pg_url, "NGSP_SIM_POPULATION": "50"}
    first = await start("up", "--port", "0", env=env)
    second = await start("up", "--port", "0", env=env)
    port = _free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            dir=tmp_path, port=port, first=first.url.rsplit(":", 1)[1], second=second.url.rsplit(":", 1)[1]
        ),
        encoding="utf-8",
    )
    nginx = await asyncio.create_subprocess_exec(
        nginx_binary, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"
    )
    try:
        base = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as session:
            for _ in range(100):  # nginx is up once it answers; bounded
                try:
                    async with session.get(f"{base}/healthz") as resp:
                        if resp.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            for n in range(20):
                headers = {"X-Road-Client": MOTCUA, "X-Road-Id": f"lb-{n}"}
                async with session.post(f"{base}{POPULATION}", json=lookup_body(), headers=headers) as resp:
                    assert resp.status == 200
            served = []
            for replica in (first, second):
                async with session.get(f"{replica.url}/metrics", headers=ADMIN) as resp:
                    served.append(_requests_served(await resp.text()))
            assert all(count >= 5 for count in served), served  # round robin shared the 20 requests

            await stop(second)  # one replica goes down: nginx moves on to the other
            for n in range(6):
                headers = {"X-Road-Client": MOTCUA, "X-Road-Id": f"after-{n}"}
                async with session.post(f"{base}{POPULATION}", json=lookup_body(), headers=headers) as resp:
                    assert resp.status == 200
            for _ in range(100):  # the shared log, read through the balancer (written within 0.2 s; bounded)
                async with session.get(f"{base}/api/v1/messages?message_id=lb-7", headers=ADMIN) as resp:
                    found = len((await resp.json())["items"])
                if found:
                    break
                await asyncio.sleep(0.1)
            assert found == 1
    finally:
        nginx.terminate()
        await asyncio.wait_for(nginx.wait(), 30)
        await stop(first)
        await stop(second)
