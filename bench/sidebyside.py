"""Side-by-side benchmark: one population lookup (037), four ways, same load, one run.

    (a) direct   SOAP straight to the simulated population database (`ngsp-sim agency run population`)
    (b) nginx    the same SOAP request through nginx as a plain reverse proxy: the floor on proxy overhead
    (c) prism    the same SOAP request through Stoplight Prism's validating proxy (`prism proxy`) with an
                 OpenAPI document of the agency's endpoint: the peer an integrator would otherwise use
    (d) ngsp-sim the X-Road REST JSON request through the hub: access check, schema validation, JSON->SOAP
                 conversion, the call, SOAP->JSON conversion, operational-monitoring record

Prerequisites: `wrk` and `nginx` (Debian packages) and `@stoplight/prism-cli` (npm). `make bench` installs
Prism under `.bench/`; a missing prerequisite is named and its row skipped. Servers are pinned to CPU 0,
wrk to CPU 1 (when `taskset` and two CPUs exist). Loopback only; every process stops by itself.

    .venv/bin/python bench/sidebyside.py [--concurrency 32] [--seconds 10] [--prism PATH] [--json]

What Prism validates here is the request's and response's content type and presence: it does not look
inside XML. ngsp-sim validates every field of the JSON request and converts both ways, so it does more.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import socket
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from pathlib import Path

import orjson
from routing import LOOKUP, PIN, Result, drive_wrk, process

from adapters.soap import build_envelope
from schemas.population import NAMESPACE

ROOT = Path(__file__).resolve().parent.parent
SOAP_PATH = "/dancuquocgia/ws"
HUB_PATH = "/r1/VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan"

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream agency {{ server 127.0.0.1:{upstream}; keepalive 64; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://agency;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
    }}
}}
"""


def prism_document() -> dict[str, object]:
    """OpenAPI 3.1 for the agency's SOAP endpoint, as an integrator would write it for Prism."""
    xml = {"text/xml": {"schema": {"type": "string", "minLength": 1, "maxLength": 1_048_576}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "CSDLQGDC population lookup (SOAP)", "version": "1"},
        "paths": {
            SOAP_PATH: {
                "post": {
                    "operationId": "TraCuuThongTinCongDan",
                    "requestBody": {"required": True, "content": xml},
                    "responses": {"200": {"description": "the SOAP answer", "content": xml}},
                }
            }
        },
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_listening(port: int, proc: asyncio.subprocess.Process, name: str) -> None:
    for _ in range(300):
        if proc.returncode is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode} before listening")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)  # polling a process we do not control; bounded to 30 s
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise RuntimeError(f"{name} did not listen on {port} within 30 s")


@asynccontextmanager
async def external(name: str, argv: list[str], port: int) -> AsyncIterator[str]:
    proc = await asyncio.create_subprocess_exec(
        *(["taskset", "-c", "0"] if PIN else []),
        *argv,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await wait_listening(port, proc, name)
        yield f"http://127.0.0.1:{port}"
    finally:
        if proc.returncode is None:
            proc.terminate()
        await asyncio.wait_for(proc.wait(), 30)


def find_prism(given: str | None) -> str | None:
    for candidate in (given, str(ROOT / ".bench/node_modules/.bin/prism"), shutil.which("prism")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


async def run(args: argparse.Namespace) -> dict[str, Result]:
    soap = build_envelope("TraCuuThongTinCongDan", NAMESPACE, LOOKUP)
    soap_headers = {"Content-Type": "text/xml; charset=utf-8"}
    json_headers = {"Content-Type": "application/json", "X-Road-Client": "VN/GOV/000.00.00.H29/MOTCUA"}
    results: dict[str, Result] = {}
    work = Path(tempfile.mkdtemp(prefix="ngsp-sidebyside-"))

    async def load(name: str, url: str, body: bytes, headers: dict[str, str]) -> None:
        print(f"  {name} ...", file=sys.stderr, flush=True)
        results[name] = await drive_wrk(url, body, headers, args.concurrency, args.seconds)

    async with process("agency", "run", "population", "--port", "0") as agency:
        upstream = int(agency.rsplit(":", 1)[1])
        await load("direct", agency + SOAP_PATH, soap, soap_headers)
        if nginx := shutil.which("nginx"):
            port = free_port()
            conf = work / "nginx.conf"
            conf.write_text(NGINX_CONF.format(dir=work, upstream=upstream, port=port))
            async with external("nginx", [nginx, "-c", str(conf), "-p", str(work)], port) as url:
                await load("nginx", url + SOAP_PATH, soap, soap_headers)
        else:
            print("note: nginx not found (Debian package 'nginx'); row (b) skipped", file=sys.stderr)
        if prism := find_prism(args.prism):
            port = free_port()
            spec = work / "population-soap.json"
            spec.write_bytes(orjson.dumps(prism_document()))
            argv = [prism, "proxy", str(spec), agency, "--port", str(port), "--errors", "-v", "error"]
            async with external("prism", argv, port) as url:
                await load("prism", url + SOAP_PATH, soap, soap_headers)
        else:
            print("note: prism not found (`make bench` installs it); row (c) skipped", file=sys.stderr)
    async with process("up", "--port", "0", "--data-dir", str(work / "hub"), "--message-log", args.message_log) as hub:
        await load("ngsp-sim", hub + HUB_PATH, orjson.dumps(LOOKUP), json_headers)
    return results


def report(results: dict[str, Result], args: argparse.Namespace) -> None:
    hub = results["ngsp-sim"]
    where = "servers on CPU 0, wrk on CPU 1" if PIN else "unpinned"
    print(f"population lookup (037), {args.concurrency} connections, wrk {args.seconds:g} s each; {where}")
    print(f"ngsp-sim message log {args.message_log}")
    print(f"{'target':<10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'ngsp-sim/this':>14}")
    for name, r in results.items():
        print(f"{name:<10} {r.rps:>8.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {r.errors:>7} {hub.rps / r.rps:>13.0%}")
    direct = results["direct"]
    print("targets for ngsp-sim:")
    if "prism" in results:
        ratio = hub.rps / results["prism"].rps
        print(f"  >= 3x Prism's throughput:   {ratio:.2f}x  {'met' if ratio >= 3 else 'not met'}")
    if "nginx" in results:
        ratio = hub.rps / results["nginx"].rps
        print(f"  >= 40% of nginx's:          {ratio:.0%}  {'met' if ratio >= 0.4 else 'not met'}")
    added = hub.p50_ms - direct.p50_ms
    print(f"  added p50 over direct < 1 ms: {added:.2f} ms  {'met' if added < 1 else 'not met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--message-log", choices=["on", "off"], default="on")
    parser.add_argument("--prism", help="path of the prism executable (default: .bench/ or PATH)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench/sidebyside.py needs wrk (Debian package 'wrk')")
    results = asyncio.run(run(args))
    if args.json:
        print(json.dumps({name: asdict(r) for name, r in results.items()}, indent=2))
    else:
        report(results, args)


if __name__ == "__main__":
    main()
