"""``ngsp-sim up`` and ``ngsp-sim config show``.

Their options are generated from :data:`ngsp_sim.settings.OPTIONS`: a new option there appears in
both commands, in ``--help`` with its default, choices and environment variable. Click passes only the
options given on the command line (everything defaults to ``None``), and
:func:`ngsp_sim.settings.resolve` applies the one precedence (command line > environment > config
file > default). What ``up`` does with the resolved values is :func:`start_hub`, kept apart from Click.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click

from ngsp_sim.app import create_app
from ngsp_sim.cli.common import serve_forever
from ngsp_sim.cli.workers import GENERATED_TOKEN, Built, supervise
from ngsp_sim.config import ConnectionLimits, HubConfig, MessageLogConfig, SecurityConfig, TlsConfig
from ngsp_sim.exchange.delivery import DeliveryConfig
from ngsp_sim.hub.runtime import HUB, HubRuntime
from ngsp_sim.hub.server import Listening
from ngsp_sim.identifiers import MemberId
from ngsp_sim.logging import configure_logging
from ngsp_sim.monitoring.otel import configure_otlp
from ngsp_sim.plugins import installed
from ngsp_sim.registry import load_spec, read_topology
from ngsp_sim.registry.spec import TopologySpec
from ngsp_sim.security.tls import TLS_DIR, Authority, ensure_authority, server_context
from ngsp_sim.settings import OPTIONS, Option, Resolved, parse_bool, parse_path, resolve
from ngsp_sim.sim import DEMO_CITIZEN
from ngsp_sim.store import Store, store_from_url

__all__ = ["build_hub", "check_upstream", "config", "hub_banner", "start_hub", "tls_banner", "up"]

F = TypeVar("F", bound=Callable[..., Any])

DEMO_CURL = """curl -s{trust} -X POST {url}/r1/VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan \\
  -H 'X-Road-Client: VN/GOV/000.00.00.H29/MOTCUA' -H 'Content-Type: application/json' \\
  -d '{{"MaYeuCau":"YC-0001","MaDVC":"1.001612","MaTichHop":"037","MaCanBo":"canbo01","MaDonVi":"000.00.00.H29","SoDinhDanh":"{citizen}"}}'"""  # noqa: E501


def _click_option(option: Option) -> Callable[[F], F]:
    default = "" if option.default is None else f"default: {option.default}; "
    help_text = f"{option.help}  [{default}env: {option.env}]"
    if option.parse is parse_bool:
        name = option.flag.removeprefix("--")
        return click.option(f"{option.flag}/--no-{name}", option.name, default=None, help=help_text)
    return click.option(option.flag, option.name, type=_type(option), default=None, help=help_text)


def _type(option: Option) -> click.ParamType[Any, Any]:
    """Click checks the form (and shows it in --help); :func:`resolve` still parses every source alike."""
    if option.choices:
        return click.Choice(option.choices)
    if option.parse is parse_path:
        return click.Path(path_type=Path)
    if option.parse is int:
        return click.INT
    return click.FLOAT if option.parse is float else click.STRING


def hub_options(command: F) -> F:
    """Every option of :data:`OPTIONS` but the admin token (on a command line it would show in ``ps``;
    environment or config file only), and ``--config``."""
    for option in reversed(OPTIONS):
        if option.name != "admin_token":
            command = _click_option(option)(command)
    return click.option(
        "--config",
        "config_file",
        type=click.Path(path_type=Path),
        help="YAML file of option: value  [env: NGSP_SIM_CONFIG]",
    )(command)


def _resolved(config_file: Path | None, given: Mapping[str, Any]) -> Resolved:
    return resolve({k: v for k, v in given.items() if v is not None}, os.environ, config_file)


@click.command()
@hub_options
def up(config_file: Path | None, **given: Any) -> int:
    """Start the hub with its simulated agencies.

    Prints where it listens, the clients, the admin token (when generated) and a curl to paste.
    Each option may also come from NGSP_SIM_<NAME> or the --config file; the command line wins.
    """
    resolved = _resolved(config_file, given)
    chosen = resolved.values["store"] is not None or resolved.sources["data_dir"] != "default"
    return start_hub(resolved.values, default_store=not chosen)


@click.group()
def config() -> None:
    """The effective configuration of `up`."""


@config.command("show")
@hub_options
def config_show(config_file: Path | None, **given: Any) -> int:
    """Each option's effective value (what `up` would use) and where it comes from, secrets hidden."""
    click.echo(_resolved(config_file, given).show())
    return 0


def start_hub(settings: Mapping[str, Any], *, default_store: bool = False) -> int:
    """Build the hub from resolved settings and serve it until SIGINT/SIGTERM; ``default_store``: the
    store is the default one of the working directory (the banner says so). With ``workers`` above 1,
    :func:`ngsp_sim.cli.workers.supervise` runs that many hubs on the one port and the one store."""
    if settings["workers"] != 1:
        return supervise(settings, lambda worker: build_hub(worker, default_store))
    built = build_hub(settings, default_store)
    return serve_forever(
        built.app, settings["host"], settings["port"], built.banner, built.limits, built.tls, built.http_port
    )


def build_hub(settings: Mapping[str, Any], default_store: bool = False) -> Built:
    """The hub's application, its banner (given where it listens), its connection limits and TLS."""
    plugins = installed()
    # A wrong topology or configuration is reported before anything is written (the store, the log's key).
    spec = load_spec(*read_topology(settings["topology"]), plugins.adapters, plugins.simulators)
    check_upstream(spec, settings["upstream"])
    if settings["http_port"] is not None and not settings["tls"]:
        raise ValueError("http_port is the plain-HTTP listener beside HTTPS: give it with --tls")
    tls = TlsConfig(settings["data_dir"] / TLS_DIR, settings["http_port"]) if settings["tls"] else None
    config = HubConfig(
        host=settings["host"],
        port=settings["port"],
        topology=settings["topology"],
        seed=settings["seed"],
        population=settings["population"],
        log_level=settings["log_level"],
        log_json=settings["log_format"] == "json",
        mask_pii=settings["pii_mask"],
        admin_token=settings["admin_token"],
        security=SecurityConfig(token_ttl=settings["token_ttl"], trusted_proxies=settings["trusted_proxies"]),
        message_log=MessageLogConfig(
            enabled=settings["message_log"] == "on",
            body_limit=settings["body_limit"],
            oversize=settings["body_oversize"],
            retention_days=settings["retention_days"],
        ),
        delivery=DeliveryConfig(lease_seconds=settings["delivery_lease"], base_delay=settings["delivery_retry_base"]),
        scenario_step_timeout=settings["scenario_step_timeout"],
        upstream=settings["upstream"],
        connections=ConnectionLimits(
            header_timeout=settings["header_timeout"],
            keepalive_timeout=settings["keepalive_timeout"],
            max_connections=settings["max_connections"],
        ),
        tls=tls,
    )
    # With --store, the data directory still says where the message log's key is (for PostgreSQL).
    store = store_from_url(settings["store"], settings["data_dir"], settings["log_key"])
    configure_logging(config.log_level, json=config.log_json, mask_pii=config.mask_pii)
    app = create_app(
        config,
        store=store,
        adapters=plugins.adapters,
        simulators=plugins.simulators,
        tracer_provider=configure_otlp() if settings["otel"] else None,
    )
    authority = ensure_authority(tls.directory, config.host) if tls is not None else None
    context = server_context(authority) if authority is not None else None

    def banner(listening: Listening) -> str:
        ca = authority.ca_certificate if authority is not None else None
        text = hub_banner(app[HUB], listening.url, settings, store, default_store, ca)
        return text if authority is None else text + "\n" + tls_banner(authority, listening)

    return Built(app, banner, config.connections, context, tls.http_port if tls else None)


def check_upstream(spec: TopologySpec, url: str | None) -> None:
    """An LGSP needs both halves of its upstream: the NGSP hub's URL (``--upstream`` or the topology) and its
    own identity there (the topology's ``upstream.client``)."""
    if url is not None and spec.upstream is None:
        raise click.UsageError(
            "--upstream needs a topology with an 'upstream' section naming this LGSP's client at the NGSP hub "
            "(e.g. --topology lgsp-hcm)"
        )
    if spec.upstream is not None and spec.upstream.url is None and url is None:
        raise click.UsageError("this topology runs as an LGSP: give the NGSP hub's URL with --upstream URL")


def tls_banner(authority: Authority, listening: Listening) -> str:
    """How to trust the hub's CA, printed under the banner of ``up --tls``."""
    ca = authority.ca_certificate
    made = "made now" if authority.created else "reused"
    lines = [
        "",
        f"TLS: HTTPS on {listening.url}, the local CA ({made}): {ca}",
        f"  plain HTTP (connection: http clients only): {listening.plain_url}"
        if listening.plain_url
        else "  plain HTTP: off (--http-port PORT adds it for connection: http clients)",
        "  trust the CA (Tin cậy CA cục bộ):",
        f"    curl --cacert {ca} {listening.url}/healthz",
        f"    httpx.Client(verify=ssl.create_default_context(cafile='{ca}'))   requests.get(url, verify='{ca}')",
        f"    Debian/Ubuntu: sudo cp {ca} /usr/local/share/ca-certificates/ngsp-sim.crt && sudo update-ca-certificates",
        f"    macOS: sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain {ca}",
        "  client certificates (connection: https): ngsp-sim certs issue VN/GOV/000.00.00.H29/MOTCUA",
    ]
    return "\n".join(lines)


def hub_banner(
    hub: HubRuntime,
    url: str,
    settings: Mapping[str, Any],
    store: Store,
    default_store: bool = False,
    ca: Path | None = None,
) -> str:
    """What ``up`` prints once it listens; generated secrets are shown here once, then forgotten.
    ``ca``: the CA certificate that the demo curl trusts (with ``--tls``)."""
    registry = hub.pipeline.table.registry
    lines = [
        f"ngsp-sim hub listening on {url}",
        f"  topology: {settings['topology'] or 'built-in demo country'} "
        f"({len(registry.agencies)} agencies, {len(registry.services)} services)",
        f"  store: {store.display}{' (the default, here; --data-dir to choose)' if default_store else ''}"
        f"   message log: {settings['message_log']}",
        f"  clients ({len(registry.subsystems)}), by agency:",
    ]
    if registry.upstream is not None:  # an LGSP: where its national services go, and as whom
        ngsp = hub.config.upstream or registry.upstream.url
        lines.insert(2, f"  tier: LGSP in front of the NGSP hub {ngsp}, calling it as {registry.upstream.client}")
    by_agency: dict[MemberId, list[str]] = defaultdict(list)
    for sub in sorted(registry.subsystems, key=str):
        by_agency[sub.member].append(sub.subsystem_code)
    for member, codes in by_agency.items():
        agency = registry.agencies.get(member)
        lines.append(f"    {member}: {', '.join(codes)}" + (f"  ({agency.name_en})" if agency is not None else ""))
    lines.append(f"  metaservices: {url}/listClients   health: {url}/healthz   admin API: {url}/api/v1/")
    if settings["admin_token"] is None or settings.get(GENERATED_TOKEN):
        lines.append(f"  admin token (generated, shown once; set NGSP_SIM_ADMIN_TOKEN to choose): {hub.admin_token}")
        lines.append(
            f"  dashboard (the token rides in the fragment, never sent to a server): {url}/ui/#token={hub.admin_token}"
        )
    else:
        lines.append(f"  dashboard: {url}/ui/ (sign in with the admin token)")
    for key, secret in sorted(hub.credentials.generated.items()):
        lines.append(f"  consumer secret generated for {key} (shown once): {secret}")
    hub.credentials.generated.clear()
    if settings["topology"] is None:
        lines += ["", "Try the citizen lookup (037) as the Hồ Chí Minh City one-stop system:"]
        lines.append(
            DEMO_CURL.replace("{citizen}", DEMO_CITIZEN).format(url=url, trust=f" --cacert {ca}" if ca else "")
        )
    return "\n".join(lines)
