"""``ngsp-sim``: a thin shell over the package. The environment and argv are read here only."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import orjson

from ngsp_sim.chaos import add_chaos_parser, run_chaos
from ngsp_sim.clock import SystemClock
from ngsp_sim.config import (
    DEFAULT_POPULATION,
    DEFAULT_SEED,
    ConnectionLimits,
    HubConfig,
    MessageLogConfig,
    SecurityConfig,
)
from ngsp_sim.conformance import add_conformance_parser, run_conformance
from ngsp_sim.deliveries import add_deliveries_parser, run_deliveries
from ngsp_sim.errors import PluginError, StoreInUse, TopologyError
from ngsp_sim.exchange.delivery import DeliveryConfig
from ngsp_sim.export_cli import add_export_parser, run_export
from ngsp_sim.hub import create_app
from ngsp_sim.hub.app import HUB
from ngsp_sim.hub.server import serve
from ngsp_sim.logging import configure_logging
from ngsp_sim.monitoring.otel import configure_otlp
from ngsp_sim.plugins import installed
from ngsp_sim.registry import load_registry
from ngsp_sim.replay import ReplayProvider, add_replay_parsers, load_fixture, run_record
from ngsp_sim.scaffold import add_adapter_parser, run_adapter
from ngsp_sim.scenarios.cli import add_scenario_parser, run_scenario_command
from ngsp_sim.security.credentials import CredentialKeeper, UnknownConsumer
from ngsp_sim.settings import OPTIONS, Resolved, default_data_dir, parse_bool, resolve
from ngsp_sim.sim import DEMO_CITIZEN, Country
from ngsp_sim.sim.base import native_app
from ngsp_sim.store import Store, StoredMessage, store_from_url, verify_chain
from ngsp_sim.store.evidence import export_bundle, parse_time, verify_bundle
from ngsp_sim.validate_cli import add_validate_parser, run_validate

__all__ = ["main"]

DEMO_CURL = """curl -s -X POST {url}/r1/VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan \\
  -H 'X-Road-Client: VN/GOV/000.00.00.H29/MOTCUA' -H 'Content-Type: application/json' \\
  -d '{{"MaYeuCau":"YC-0001","MaDVC":"1.001612","MaTichHop":"037","MaCanBo":"canbo01","MaDonVi":"000.00.00.H29","SoDinhDanh":"{citizen}"}}'"""  # noqa: E501


def _store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, help=f"where the SQLite store lives (default {default_data_dir()})")
    parser.add_argument("--store", help="store URL: sqlite:///PATH or postgresql://USER@HOST:PORT/DB[?schema=S]")
    parser.add_argument("--log-key", type=Path, default=os.environ.get("NGSP_SIM_LOG_KEY"),
                        help="the message log's key file (default: beside the SQLite file, or in the data directory; "
                             "env NGSP_SIM_LOG_KEY)")  # fmt: skip


def _hub_options(parser: argparse.ArgumentParser) -> None:
    """The options of ``up``; each may also come from NGSP_SIM_<NAME> or the config file."""
    parser.add_argument("--config", type=Path, help="YAML file of option: value (also NGSP_SIM_CONFIG)")
    for option in OPTIONS:
        if option.parse is parse_bool:
            parser.add_argument(option.flag, dest=option.name, action=argparse.BooleanOptionalAction, default=None,
                                help=f"{option.help} (env {option.env})")  # fmt: skip
        elif option.name != "admin_token":  # a secret on the command line would show in ps; env or file only
            parser.add_argument(option.flag, dest=option.name, default=None, help=f"{option.help} (env {option.env})")


def _settings(args: argparse.Namespace) -> Resolved:
    given = {o.name: getattr(args, o.name, None) for o in OPTIONS}
    return resolve(given, os.environ, args.config)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ngsp-sim", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    up = commands.add_parser("up", help="start the hub with its simulated agencies")
    _hub_options(up)
    config = commands.add_parser("config", help="the effective configuration of 'up'")
    config_actions = config.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    _hub_options(config_actions.add_parser("show", help="each option's value and where it comes from"))

    catalog = commands.add_parser("catalog", help="list the services of a topology")
    catalog.add_argument("--topology", type=Path, help="topology YAML file (default: the demo country)")
    catalog.add_argument("--format", default="text", choices=["text", "json"])

    log_cmd = commands.add_parser("log", help="the message log")
    log_actions = log_cmd.add_subparsers(dest="log_command", required=True, metavar="ACTION")
    verify = log_actions.add_parser("verify", help="check seals, columns and the signed head; names the first fault")
    _store_options(verify)
    export = log_actions.add_parser("export", help="write a signed evidence bundle anyone can check offline")
    _store_options(export)
    export.add_argument("--from", dest="from_", default="0", help="first start time: ISO 8601 or ms (default: all)")
    export.add_argument("--to", default=None, help="end (exclusive): ISO 8601 or ms (default: now)")
    export.add_argument("--out", type=Path, required=True, help="the bundle file to write")
    check = log_actions.add_parser("verify-bundle", help="check an evidence bundle with nothing but the file")
    check.add_argument("bundle", type=Path)
    tail = log_actions.add_parser("tail", help="print the newest exchanges")
    _store_options(tail)
    tail.add_argument("-n", "--lines", type=int, default=20, help="how many to show first (default 20)")
    tail.add_argument("-f", "--follow", action="store_true", help="keep printing new exchanges")
    tail.add_argument("--format", default="text", choices=["text", "json"])

    creds = commands.add_parser("credentials", help="consumer keys and secrets (gateway style)")
    creds_actions = creds.add_subparsers(dest="credentials_command", required=True, metavar="ACTION")
    listing = creds_actions.add_parser("list", help="consumer keys and their clients (never secrets)")
    _store_options(listing)
    rotate = creds_actions.add_parser("rotate", help="a new secret for a consumer key, printed once")
    rotate.add_argument("consumer_key")
    _store_options(rotate)

    add_chaos_parser(commands)
    add_deliveries_parser(commands)
    add_validate_parser(commands)
    add_export_parser(commands)
    add_adapter_parser(commands)
    add_replay_parsers(commands)
    add_conformance_parser(commands)
    add_scenario_parser(commands)

    agency = commands.add_parser("agency", help="simulated agencies on their own")
    agency_commands = agency.add_subparsers(dest="agency_command", required=True, metavar="ACTION")
    run = agency_commands.add_parser("run", help="serve one simulated agency's native API over HTTP")
    run.add_argument("kind", help="which simulated agency (population, dvcqg, business, ...)")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, required=True)
    run.add_argument("--seed", type=int, default=DEFAULT_SEED)
    run.add_argument("--population", type=int, default=DEFAULT_POPULATION)
    return parser


def _store(args: argparse.Namespace, *, create_key: bool = True) -> Store:
    # With --store, the data directory only says where the message log's key is (for PostgreSQL).
    return store_from_url(args.store, args.data_dir or default_data_dir(), args.log_key, create_key=create_key)


def _up(args: argparse.Namespace) -> int:
    settings = _settings(args).values
    env_token = settings["admin_token"]
    store = store_from_url(settings["store"], settings["data_dir"] or default_data_dir(), settings["log_key"])
    config = HubConfig(
        host=settings["host"],
        port=settings["port"],
        topology=settings["topology"],
        seed=settings["seed"],
        population=settings["population"],
        log_level=settings["log_level"],
        log_json=settings["log_format"] == "json",
        mask_pii=settings["pii_mask"],
        admin_token=env_token,
        security=SecurityConfig(token_ttl=settings["token_ttl"], trusted_proxies=settings["trusted_proxies"]),
        message_log=MessageLogConfig(
            enabled=settings["message_log"] == "on",
            body_limit=settings["body_limit"],
            retention_days=settings["retention_days"],
        ),
        delivery=DeliveryConfig(lease_seconds=settings["delivery_lease"], base_delay=settings["delivery_retry_base"]),
        scenario_step_timeout=settings["scenario_step_timeout"],
        connections=ConnectionLimits(
            header_timeout=settings["header_timeout"],
            keepalive_timeout=settings["keepalive_timeout"],
            max_connections=settings["max_connections"],
        ),
    )
    configure_logging(config.log_level, json=config.log_json, mask_pii=config.mask_pii)
    app = create_app(
        config,
        store=store,
        adapters=installed().adapters,
        simulators=installed().simulators,
        tracer_provider=configure_otlp() if settings["otel"] else None,
    )

    chosen = "" if settings["store"] or settings["data_dir"] else " (the default, here; --data-dir to choose)"

    def banner(url: str) -> str:
        hub = app[HUB]
        registry = hub.pipeline.table.registry
        lines = [
            f"ngsp-sim hub listening on {url}",
            f"  topology: {settings['topology'] or 'built-in demo country'} "
            f"({len(registry.agencies)} agencies, {len(registry.services)} services)",
            f"  store: {store.display}{chosen}   message log: {settings['message_log']}",
            "  clients: " + ", ".join(sorted(str(s.id) for s in registry.subsystems.values())),
            f"  metaservices: {url}/listClients   health: {url}/healthz   admin API: {url}/api/v1/",
        ]
        if env_token is None:
            lines.append(
                f"  admin token (generated, shown once; set NGSP_SIM_ADMIN_TOKEN to choose): {hub.admin_token}"
            )
            lines.append(f"  dashboard (the token rides in the fragment, never sent to a server): "
                         f"{url}/ui/#token={hub.admin_token}")  # fmt: skip
        else:
            lines.append(f"  dashboard: {url}/ui/ (sign in with the admin token)")
        for key, secret in sorted(hub.credentials.generated.items()):
            lines.append(f"  consumer secret generated for {key} (shown once): {secret}")
        hub.credentials.generated.clear()
        if settings["topology"] is None:
            lines += ["", "Try the citizen lookup (037) as the Hồ Chí Minh City one-stop system:"]
            lines.append(DEMO_CURL.replace("{citizen}", DEMO_CITIZEN).format(url=url))
        return "\n".join(lines)

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(app, config.host, config.port, banner, config.connections))
    return 0


def _catalog(args: argparse.Namespace) -> int:
    registry = load_registry(args.topology, installed().adapters, installed().simulators)
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


async def _verify(store: Store) -> int:
    await store.open()
    try:
        total = await store.last_message_id()
        print(f"verifying the message log in {store.display} ({total} records at most)...", file=sys.stderr)
        report = await verify_chain(store)
    finally:
        await store.close()
    print(report.describe())
    return 0 if report.ok else 1


async def _export(store: Store, from_ms: int, to_ms: int | None, out: Path) -> int:
    await store.open()
    try:
        now = int(time.time() * 1000)
        data, report, count = await export_bundle(store, from_ms, now + 1 if to_ms is None else to_ms, now)
    finally:
        await store.close()
    if not report.ok:
        print(f"not exported, the log does not verify: {report.describe()}")
        return 1
    await asyncio.to_thread(out.write_bytes, data)
    print(f"wrote {count} records to {out}, signed with key {store.key.fingerprint}")
    return 0


def _line(m: StoredMessage, as_json: bool) -> str:
    if as_json:
        return orjson.dumps({"id": m.id, "client": m.client, "service": m.service, **m.record}).decode()
    r = m.record
    when = datetime.fromtimestamp(r["requestInTs"] / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    took = "" if r.get("responseOutTs") is None else f"{r['responseOutTs'] - r['requestInTs']}ms"
    fault = f" {r['faultCode']}" if r.get("faultCode") else ""
    return f"{m.id:>8} {when} {m.client or '-'} -> {m.service or r.get('restPath')} {r.get('statusCode')} {took}{fault}"


async def _tail(store: Store, lines: int, follow: bool, as_json: bool) -> int:
    await store.open()
    try:
        last = await store.last_message_id()
        for m in await store.scan_messages(max(0, last - lines), lines):
            print(_line(m, as_json), flush=True)
        while follow:
            fresh = await store.scan_messages(last, 500)
            for m in fresh:
                print(_line(m, as_json), flush=True)
            last = fresh[-1].id if fresh else last
            if not fresh:
                await asyncio.sleep(0.5)
    finally:
        await store.close()
    return 0


async def _credentials(store: Store, action: str, key: str | None) -> int:
    await store.open()
    try:
        if action == "list":
            for c in await store.list_credentials():
                print(f"{c.consumer_key:<24} {c.client:<40} {c.source}")
            return 0
        keeper = CredentialKeeper(store, SystemClock())
        try:
            secret = await keeper.rotate(key or "")
        except UnknownConsumer:
            print(f"ngsp-sim: no consumer key {key!r} in {store.display}", file=sys.stderr)
            return 1
        print(f"new secret for {key} (shown once; its tokens no longer work): {secret}")
        return 0
    finally:
        await store.close()


def _agency_run(args: argparse.Namespace) -> int:
    configure_logging("info")
    simulators = installed().simulators
    if args.kind not in simulators:
        print(f"ngsp-sim: no simulated agency {args.kind!r}; known: {', '.join(sorted(simulators))}", file=sys.stderr)
        return 2
    agency = simulators[args.kind](Country.generate(args.seed, args.population), SystemClock())
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            serve(
                agency.aiohttp_app(),
                args.host,
                args.port,
                lambda url: f"simulated agency '{args.kind}' speaking its native API on {url}",
            )
        )
    return 0


def _replay(args: argparse.Namespace) -> int:
    exchanges = load_fixture(args.file)
    app = native_app(ReplayProvider(exchanges).handle)

    def banner(url: str) -> str:
        return f"replaying {len(exchanges)} recorded exchanges of {args.file} on {url}"

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(app, args.host, args.port, banner))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "up":
            return _up(args)
        if args.command == "catalog":
            return _catalog(args)
        if args.command == "config":
            print(_settings(args).show())
            return 0
        if args.command == "log":
            if args.log_command == "verify":
                return asyncio.run(_verify(_store(args, create_key=False)))
            if args.log_command == "export":
                to_ms = None if args.to is None else parse_time(args.to)
                return asyncio.run(_export(_store(args, create_key=False), parse_time(args.from_), to_ms, args.out))
            if args.log_command == "verify-bundle":
                bundle = verify_bundle(args.bundle.read_bytes())
                print(bundle.describe())
                return 0 if bundle.ok else 1
            with contextlib.suppress(KeyboardInterrupt):
                return asyncio.run(_tail(_store(args), args.lines, args.follow, args.format == "json"))
            return 0
        if args.command == "validate":
            return run_validate(args)
        if args.command == "export":
            return run_export(args)
        if args.command == "adapter":
            return run_adapter(args)
        if args.command == "record":
            return asyncio.run(run_record(args, args.admin_token or os.environ.get("NGSP_SIM_ADMIN_TOKEN")))
        if args.command == "replay":
            return _replay(args)
        if args.command == "conformance":
            return asyncio.run(run_conformance(args))
        if args.command == "scenario":
            return run_scenario_command(args)
        if args.command in ("chaos", "deliveries"):
            token = args.admin_token or os.environ.get("NGSP_SIM_ADMIN_TOKEN")
            run = run_chaos if args.command == "chaos" else run_deliveries
            return asyncio.run(run(args, token))
        if args.command == "credentials":
            return asyncio.run(
                _credentials(_store(args), args.credentials_command, getattr(args, "consumer_key", None))
            )
        return _agency_run(args)
    except (TopologyError, PluginError, StoreInUse) as exc:
        print(f"ngsp-sim: {exc}", file=sys.stderr)
        return 2
    except (ValueError, OSError, aiohttp.ClientError) as exc:
        print(f"ngsp-sim: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
