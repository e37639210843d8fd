"""Side-by-side benchmark: one population lookup (037), seven ways, same load, one run.

    (a) direct       SOAP straight to the simulated population database (`ngsp-sim agency run population`)
    (b) nginx        the same SOAP request through nginx as a plain reverse proxy: the floor on proxy overhead
    (c) prism proxy  the same SOAP request through Stoplight Prism's validating proxy (`prism proxy`) with an
                     OpenAPI document of the agency's endpoint (it checks content types, not the XML)
    (d) ngsp-sim     the X-Road REST JSON request through the hub: access check, schema validation,
                     JSON->SOAP conversion, the call, SOAP->JSON conversion, message log, monitoring record
    (e) ngsp-sim xN  the same through `ngsp-sim up --workers N` (--workers; 1 leaves the row out)
    (f) prism mock   Prism mocking the hub's own exported OpenAPI of the service (`ngsp-sim export openapi`),
                     request validation on: the peer an integrator would run instead of ngsp-sim
    (g) wiremock     WireMock (npm `wiremock`, its bundled jar on Java) answering the hub's answer, no
                     validation: the speed floor of a stub

Every row reports requests/s, p50 and p99 from wrk (the median of ``--runs`` runs of ``--seconds`` after
a 2 s warm-up) and the server's CPU time per request: the user and system time, from /proc, of every
process serving the row (the agency too behind nginx and Prism's proxy; ngsp-sim runs its agencies
in-process; the workers with their supervisor). On a shared machine requests/s moves with the
neighbours; CPU per request barely does.

Prerequisites: `wrk` and `nginx` (Debian packages), `@stoplight/prism-cli` and `wiremock` (npm; `make
bench` installs both under `.bench/`) and Java for WireMock. A missing prerequisite is named and its row
skipped. Servers are pinned to CPU 0, wrk to CPU 1 (when `taskset` and two CPUs exist), so the xN row
measures what N workers cost on one core, not how they scale (bench/workers.py does). Loopback only;
every process stops by itself. For a sustained figure, ``--seconds 60 --runs 1``.

    .venv/bin/python bench/sidebyside.py [--concurrency 32] [--seconds 5] [--runs 3] [--workers 2] [--json]
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

import aiohttp
import orjson
from routing import LAST_PID, LOOKUP, PIN, Result, drive_wrk, process

from adapters.soap import build_envelope
from schemas.population import NAMESPACE

ROOT = Path(__file__).resolve().parent.parent
SOAP_PATH = "/dancuquocgia/ws"
SERVICE = "VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan"
HUB_PATH = f"/r1/{SERVICE}"

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
async def external(name: str, argv: list[str], port: int) -> AsyncIterator[tuple[str, int]]:
    """Start a server that is not ngsp-sim (pinned like ours); its URL and pid once it listens."""
    proc = await asyncio.create_subprocess_exec(
        *(["taskset", "-c", "0"] if PIN else []),
        *argv,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await wait_listening(port, proc, name)
        yield f"http://127.0.0.1:{port}", proc.pid
    finally:
        if proc.returncode is None:
            proc.terminate()
        await asyncio.wait_for(proc.wait(), 30)


def find_tool(given: str | None, bench: str, name: str) -> str | None:
    """``given``, else the copy `make bench` installed under .bench/, else one on PATH."""
    for candidate in (given, str(ROOT / ".bench" / bench), shutil.which(name)):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def find_wiremock_jar() -> Path | None:
    return next(iter(sorted((ROOT / ".bench/node_modules/wiremock/build").glob("wiremock-standalone-*.jar"))), None)


async def hub_answer(url: str, body: bytes, headers: dict[str, str]) -> bytes:
    """The hub's answer to the lookup: what WireMock serves, so both send the same bytes."""
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=headers) as resp:
        assert resp.status == 200, resp.status
        return await resp.read()


async def export_openapi(into: Path) -> Path:
    """The hub's own OpenAPI of the lookup, as `ngsp-sim export openapi` writes it."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ngsp_sim", "export", "openapi", str(into), stdout=asyncio.subprocess.DEVNULL
    )
    if await asyncio.wait_for(proc.wait(), 120) != 0:
        raise RuntimeError("ngsp-sim export openapi failed")
    return into / "services" / f"{SERVICE.replace('/', '_')}.openapi.json"


async def run(args: argparse.Namespace) -> dict[str, Result]:
    soap = build_envelope("TraCuuThongTinCongDan", NAMESPACE, LOOKUP)
    soap_headers = {"Content-Type": "text/xml; charset=utf-8"}
    json_headers = {"Content-Type": "application/json", "X-Road-Client": "VN/GOV/000.00.00.H29/MOTCUA"}
    lookup = orjson.dumps(LOOKUP)
    results: dict[str, Result] = {}
    work = Path(tempfile.mkdtemp(prefix="ngsp-sidebyside-"))

    async def load(name: str, url: str, body: bytes, headers: dict[str, str], servers: list[int]) -> None:
        if args.only and name not in args.only and name != "ngsp-sim":
            return
        print(f"  {name} ...", file=sys.stderr, flush=True)
        results[name] = await drive_wrk(
            url, body, headers, args.concurrency, args.seconds, servers=servers, runs=args.runs
        )

    async with process("agency", "run", "population", "--port", "0") as agency:
        agency_pid = LAST_PID[0]
        upstream = int(agency.rsplit(":", 1)[1])
        await load("direct", agency + SOAP_PATH, soap, soap_headers, [agency_pid])
        if nginx := shutil.which("nginx"):
            port = free_port()
            conf = work / "nginx.conf"
            conf.write_text(NGINX_CONF.format(dir=work, upstream=upstream, port=port))
            async with external("nginx", [nginx, "-c", str(conf), "-p", str(work)], port) as (url, pid):
                await load("nginx", url + SOAP_PATH, soap, soap_headers, [pid, agency_pid])
        else:
            print("note: nginx not found (Debian package 'nginx'); its row is skipped", file=sys.stderr)
        prism = find_tool(args.prism, "node_modules/.bin/prism", "prism")
        if prism:
            port = free_port()
            spec = work / "population-soap.json"
            spec.write_bytes(orjson.dumps(prism_document()))
            argv = [prism, "proxy", str(spec), agency, "--port", str(port), "--errors", "-v", "error"]
            async with external("prism", argv, port) as (url, pid):
                await load("prism proxy", url + SOAP_PATH, soap, soap_headers, [pid, agency_pid])
        else:
            print("note: prism not found (`make bench` installs it); its rows are skipped", file=sys.stderr)
    hub_args = ("up", "--port", "0", "--message-log", args.message_log, "--log-level", "warning")
    async with process(*hub_args, "--data-dir", str(work / "hub")) as hub:
        answer = await hub_answer(hub + HUB_PATH, lookup, json_headers)
        await load("ngsp-sim", hub + HUB_PATH, lookup, json_headers, LAST_PID[:])
    if args.workers > 1 and (not args.only or f"ngsp-sim x{args.workers}" in args.only):
        workers = ("--workers", str(args.workers), "--data-dir", str(work / "hub-workers"))
        async with process(*hub_args, *workers) as hub:
            await load(f"ngsp-sim x{args.workers}", hub + HUB_PATH, lookup, json_headers, LAST_PID[:])
    if prism:
        spec = await export_openapi(work / "openapi")
        port = free_port()
        argv = [prism, "mock", str(spec), "--port", str(port), "-v", "fatal"]
        async with external("prism mock", argv, port) as (url, pid):
            await load("prism mock", f"{url}/{SERVICE.rsplit('/', 1)[1]}", lookup, json_headers, [pid])
    jar, java = find_wiremock_jar(), shutil.which("java")
    if jar and java:
        port = free_port()
        (work / "wiremock/mappings").mkdir(parents=True)
        (work / "wiremock/mappings/lookup.json").write_bytes(orjson.dumps(wiremock_mapping(answer)))
        argv = [java, "-jar", str(jar), "--port", str(port), "--root-dir", str(work / "wiremock")]
        argv += ["--no-request-journal", "--disable-request-logging", "--disable-banner"]
        async with external("wiremock", argv, port) as (url, pid):
            await load("wiremock", url + HUB_PATH, lookup, json_headers, [pid])
    else:
        print("note: WireMock needs Java and `make bench` (npm 'wiremock'); its row is skipped", file=sys.stderr)
    shutil.rmtree(work, ignore_errors=True)
    return results


def wiremock_mapping(answer: bytes) -> dict[str, object]:
    """A stub answering the lookup's POST with the hub's answer, whatever the body (no validation)."""
    return {
        "request": {"method": "POST", "url": HUB_PATH},
        "response": {"status": 200, "body": answer.decode(), "headers": {"Content-Type": "application/json"}},
    }


def report(results: dict[str, Result], args: argparse.Namespace) -> None:
    hub = results["ngsp-sim"]
    where = "servers on CPU 0, wrk on CPU 1" if PIN else "unpinned"
    print(
        f"population lookup (037), {args.concurrency} connections, median of {args.runs} wrk run(s) of "
        f"{args.seconds:g} s; {where}; ngsp-sim message log {args.message_log}"
    )
    print(f"{'target':<13} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'CPU us/req':>11} {'ngsp/this':>10}")
    for name, r in results.items():
        print(
            f"{name:<13} {r.rps:>8.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {r.errors:>7} {r.cpu_us:>11.0f} "
            f"{hub.rps / r.rps:>9.0%}"
        )
    print("targets for ngsp-sim:")
    if "prism mock" in results:
        mock = results["prism mock"]
        ratio = hub.rps / mock.rps
        print(f"  >= 3x Prism mock's throughput: {ratio:.2f}x  {'met' if ratio >= 3 else 'not met'}")
        cost = mock.cpu_us / hub.cpu_us if hub.cpu_us else 0.0
        print(f"  CPU per request, Prism mock / ngsp-sim: {cost:.2f}x")
    print(f"  CPU per routed exchange < 200 us: {hub.cpu_us:.0f} us  {'met' if hub.cpu_us < 200 else 'not met'}")
    print(f"  p99 under 2x p50: {hub.p99_ms / hub.p50_ms:.2f}x  {'met' if hub.p99_ms < 2 * hub.p50_ms else 'not met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds of each wrk run")
    parser.add_argument("--runs", type=int, default=3, help="wrk runs per row (the median is reported)")
    parser.add_argument("--workers", type=int, default=2, help="the ngsp-sim xN row's workers (1: no such row)")
    parser.add_argument("--message-log", choices=["on", "off"], default="on")
    parser.add_argument("--prism", help="path of the prism executable (default: .bench/ or PATH)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--only",
        type=lambda text: [name.strip() for name in text.split(",")],
        help='rows to run, comma-separated (e.g. "prism mock" for a sustained pair; ngsp-sim always runs)',
    )
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
