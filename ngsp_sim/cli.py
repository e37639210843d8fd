"""``ngsp-sim``: a thin shell over the package. The environment and argv are read here only."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

import orjson
from aiohttp import web

import adapters
from ngsp_sim import sim
from ngsp_sim.config import DEFAULT_POPULATION, DEFAULT_SEED, HubConfig
from ngsp_sim.errors import TopologyError
from ngsp_sim.hub import create_app
from ngsp_sim.logging import configure_logging
from ngsp_sim.registry import Registry, load_registry
from ngsp_sim.sim import DEMO_CITIZEN, Country

__all__ = ["main"]

DEMO_CURL = """curl -s -X POST {url}/r1/VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan \\
  -H 'X-Road-Client: VN/GOV/000.00.00.H29/MOTCUA' -H 'Content-Type: application/json' \\
  -d '{{"MaYeuCau":"YC-0001","MaDVC":"1.001612","MaTichHop":"037","MaCanBo":"canbo01","MaDonVi":"000.00.00.H29","SoDinhDanh":"{citizen}"}}'"""  # noqa: E501


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ngsp-sim", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    up = commands.add_parser("up", help="start the hub with its simulated agencies")
    up.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    up.add_argument("--port", type=int, default=8080, help="port to listen on; 0 picks a free one (default 8080)")
    up.add_argument("--topology", type=Path, help="topology YAML file (default: the built-in demo country)")
    up.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the synthetic country")
    up.add_argument("--population", type=int, default=DEFAULT_POPULATION, help="generated citizens")
    up.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    up.add_argument("--log-format", default="json", choices=["json", "console"])

    catalog = commands.add_parser("catalog", help="list the services of a topology")
    catalog.add_argument("--topology", type=Path, help="topology YAML file (default: the demo country)")
    catalog.add_argument("--format", default="text", choices=["text", "json"])

    agency = commands.add_parser("agency", help="simulated agencies on their own")
    agency_commands = agency.add_subparsers(dest="agency_command", required=True, metavar="ACTION")
    run = agency_commands.add_parser("run", help="serve one simulated agency's native API over HTTP")
    run.add_argument("kind", choices=sorted(sim.BUILTIN), help="which simulated agency")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, required=True)
    run.add_argument("--seed", type=int, default=DEFAULT_SEED)
    run.add_argument("--population", type=int, default=DEFAULT_POPULATION)
    return parser


def _load(topology: Path | None) -> Registry:
    return load_registry(topology, adapters.BUILTIN, sim.BUILTIN)


async def _serve(app: web.Application, host: str, port: int, banner: str) -> None:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as exc:
            raise SystemExit(f"ngsp-sim: cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        bound = runner.addresses[0]
        url = f"http://{host if ':' not in host else f'[{host}]'}:{bound[1]}"
        print(banner.format(url=url), flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        await runner.cleanup()


def _up_banner(registry: Registry, topology: Path | None) -> str:
    clients = sorted({str(s.id) for s in registry.subsystems.values()})
    lines = [
        "ngsp-sim hub listening on {url}",
        f"  topology: {topology or 'built-in demo country'} "
        f"({len(registry.agencies)} agencies, {len(registry.services)} services)",
        "  clients: " + ", ".join(clients),
        "  metaservices: {url}/listClients   health: {url}/healthz",
    ]
    if topology is None:
        lines += ["", "Try the citizen lookup (037) as the Hồ Chí Minh City one-stop system:", DEMO_CURL]
    return "\n".join(lines).replace("{citizen}", DEMO_CITIZEN)


def _up(args: argparse.Namespace) -> int:
    config = HubConfig(
        host=args.host,
        port=args.port,
        topology=args.topology,
        seed=args.seed,
        population=args.population,
        log_level=args.log_level,
        log_json=args.log_format == "json",
    )
    configure_logging(config.log_level, json=config.log_json)
    registry = _load(config.topology)
    app = create_app(config, registry=registry)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(app, config.host, config.port, _up_banner(registry, config.topology)))
    return 0


def _catalog(args: argparse.Namespace) -> int:
    registry = _load(args.topology)
    rows = []
    for service in sorted(registry.services.values(), key=lambda s: str(s.id)):
        sub = registry.subsystems[service.id.subsystem]
        rows.append(
            {
                "service": str(service.id),
                "methods": sorted(service.methods),
                "adapter": service.adapter,
                "provider": service.endpoint or f"simulated ({sub.simulator})",
                "name_vi": sub.name_vi,
                "name_en": sub.name_en,
            }
        )
    if args.format == "json":
        sys.stdout.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode() + "\n")
        return 0
    width = max((len(r["service"]) for r in rows), default=10)
    print(f"{'SERVICE':<{width}}  {'METHODS':<8}  {'ADAPTER':<10}  PROVIDER")
    for r in rows:
        methods = ",".join(r["methods"])
        print(f"{r['service']:<{width}}  {methods:<8}  {r['adapter']:<10}  {r['provider']}  ({r['name_en']})")
    print(f"\n{len(rows)} services, {len(registry.agencies)} agencies")
    return 0


def _agency_run(args: argparse.Namespace) -> int:
    from ngsp_sim.clock import SystemClock

    configure_logging("info")
    agency = sim.BUILTIN[args.kind](Country.generate(args.seed, args.population), SystemClock())
    banner = f"simulated agency '{args.kind}' speaking its native API on {{url}}"
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(agency.aiohttp_app(), args.host, args.port, banner))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "up":
            return _up(args)
        if args.command == "catalog":
            return _catalog(args)
        return _agency_run(args)
    except TopologyError as exc:
        print(f"ngsp-sim: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"ngsp-sim: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
