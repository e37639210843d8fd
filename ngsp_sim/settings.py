"""Where ``ngsp-sim up`` takes each option from, in one precedence:

    command line  >  environment (NGSP_SIM_<NAME>)  >  config file (--config or NGSP_SIM_CONFIG)  >  default

Part of the CLI edge: the only place besides ``ngsp_sim/cli/`` that reads the environment. The
command line's options of ``up`` are generated from :data:`OPTIONS` (a new option appears there, in
``--help`` with its default and choices, and in ``config show`` at once). ``config show`` prints the
effective values (the data directory and store the hub would really use) with each one's source,
secrets hidden.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ngsp_sim.config import DEFAULT_POPULATION, DEFAULT_SEED
from ngsp_sim.monitoring.message_log import DEFAULT_BODY_LIMIT
from ngsp_sim.store import DEFAULT_FILE, log_key_path

__all__ = [
    "DATA_DIR_NAME",
    "OPTIONS",
    "Choice",
    "Option",
    "Resolved",
    "default_data_dir",
    "parse_bool",
    "parse_path",
    "resolve",
]

DATA_DIR_NAME = ".ngsp-sim"


def default_data_dir(env: Mapping[str, str] | None = None) -> Path:
    """``./.ngsp-sim`` in the current directory, when neither ``data_dir`` nor ``store`` is given: each
    clone or project keeps its own store (git ignores it), so the demo, a tutorial and another project
    never share a registry by accident. (``env`` is accepted for symmetry with the other sources; the
    default depends on the working directory only.)"""
    return Path.cwd() / DATA_DIR_NAME


def parse_bool(text: Any) -> bool:
    if isinstance(text, bool):
        return text
    value = str(text).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected true or false, got {text!r}")


@dataclass(frozen=True)
class Choice:
    """A parser that accepts one of ``allowed``; the command line shows them in ``--help``."""

    allowed: tuple[str, ...]

    def __call__(self, text: Any) -> str:
        if isinstance(text, bool) and {"on", "off"} <= set(self.allowed):  # YAML reads on/off as booleans
            text = "on" if text else "off"
        if str(text) not in self.allowed:
            raise ValueError(f"expected one of {', '.join(self.allowed)}, got {text!r}")
        return str(text)


def _choice(*allowed: str) -> Choice:
    return Choice(allowed)


def parse_path(text: Any) -> Path:
    return Path(str(text)).expanduser()


def _networks(text: Any) -> tuple[str, ...]:
    """Addresses or networks, comma-separated (or a YAML list); each must parse."""
    items = text if isinstance(text, list) else str(text).split(",")
    networks = tuple(str(item).strip() for item in items if str(item).strip())
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ValueError(f"{network!r} is not an IP address or network") from None
    return networks


@dataclass(frozen=True)
class Option:
    name: str
    parse: Callable[[Any], Any]
    default: Any
    help: str
    secret: bool = False

    @property
    def env(self) -> str:
        return "NGSP_SIM_" + self.name.upper()

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def choices(self) -> tuple[str, ...] | None:
        return self.parse.allowed if isinstance(self.parse, Choice) else None


OPTIONS: tuple[Option, ...] = (
    Option("host", str, "127.0.0.1", "address to listen on"),
    Option("port", int, 8080, "port to listen on; 0 picks a free one"),
    Option(
        "workers",
        int,
        1,
        "processes serving the one port (SO_REUSEPORT) on the one store; more than 1 needs a file or PostgreSQL store",
    ),
    Option("topology", parse_path, None, "topology YAML file (default: the built-in demo country)"),
    Option(
        "upstream",
        str,
        None,
        "the NGSP hub's URL: run as an LGSP in front of it (the topology's 'upstream' names this LGSP there)",
    ),
    Option("data_dir", parse_path, None, f"where the SQLite store lives (default ./{DATA_DIR_NAME} here)"),
    Option("store", str, None, "store URL: sqlite:///PATH or postgresql://USER@HOST:PORT/DB[?schema=S]", secret=True),
    Option("log_key", parse_path, None, "the message log's key file (default DATA_DIR/message-log.key)"),
    Option("seed", int, DEFAULT_SEED, "seed of the synthetic country"),
    Option("population", int, DEFAULT_POPULATION, "generated citizens"),
    Option("message_log", _choice("on", "off"), "on", "keep the message log"),
    Option("body_limit", int, DEFAULT_BODY_LIMIT, "maximum loggable body size in bytes (X-Road's default, 10 MiB)"),
    Option(
        "body_oversize",
        _choice("refuse", "truncate"),
        "refuse",
        "a larger body: refuse the exchange (X-Road's logging_failed) or truncate it in the log",
    ),
    Option("retention_days", float, 30.0, "purge message-log records older than this; 0 keeps all"),
    Option("pii_mask", parse_bool, True, "mask personal data in log lines"),
    Option("token_ttl", int, 3600, "seconds an access token lasts"),
    Option(
        "trusted_proxies", _networks, (), "reverse proxies (addresses/networks) whose X-Forwarded-For names the source"
    ),
    Option("otel", parse_bool, False, "export a span per exchange over OTLP (needs the otel extra; OTEL_* env)"),
    Option("delivery_lease", float, 30.0, "seconds a webhook delivery stays leased to the worker sending it"),
    Option("delivery_retry_base", float, 1.0, "seconds before the first retry of a failed delivery (then doubling)"),
    Option("scenario_step_timeout", float, 900.0, "seconds a step-by-step scenario run waits for its next step"),
    Option("tls", parse_bool, False, "serve HTTPS, with a local CA made in DATA_DIR/tls on first start"),
    Option("http_port", int, None, "with --tls, also serve plain HTTP on this port (connection: http clients)"),
    Option("header_timeout", float, 10.0, "seconds a client has to send a request line and headers (then 408)"),
    Option("keepalive_timeout", float, 75.0, "seconds an idle keep-alive connection stays open"),
    Option("max_connections", int, 512, "open connections above which a new one gets 503 (kept below the file limit)"),
    Option("admin_token", str, None, "admin token (default: generated and shown once)", secret=True),
    Option("log_level", _choice("debug", "info", "warning", "error"), "info", "log level"),
    Option("log_format", _choice("json", "console"), "json", "log lines as JSON or for humans"),
)


@dataclass(frozen=True)
class Resolved:
    values: Mapping[str, Any]
    sources: Mapping[str, str]

    def show(self) -> str:
        """One line per option: the value the hub would use and where it comes from."""
        width = max(len(o.name) for o in OPTIONS)
        lines = []
        for option in OPTIONS:
            value = self.values[option.name]
            effective = _EFFECTIVE.get(option.name, _same)
            shown = "(hidden)" if option.secret and value is not None else effective(self, value)
            lines.append(f"{option.name:<{width}}  {shown!s:<40}  from {self.sources[option.name]}")
        return "\n".join(lines)


def _same(_: Resolved, value: Any) -> Any:
    return value


def _store_shown(resolved: Resolved, value: Any) -> str:
    return f"sqlite:///{resolved.values['data_dir'] / DEFAULT_FILE} (SQLite in data_dir)" if value is None else value


def _data_dir_shown(resolved: Resolved, value: Any) -> str:
    return f"{value} (not used: store is set)" if resolved.values["store"] is not None else str(value)


_EFFECTIVE: Mapping[str, Callable[[Resolved, Any], Any]] = {
    "data_dir": _data_dir_shown,
    "store": _store_shown,
    "topology": lambda _, value: value or "the built-in demo country",
    "upstream": lambda _, value: value or "(none: an NGSP hub; an LGSP topology may name its own)",
    "admin_token": lambda _, value: value or "(generated at start, shown once)",
    "http_port": lambda r, value: (
        "(none: HTTPS only with tls)" if value is None else value if r.values["tls"] else f"{value} (needs tls)"
    ),
    "log_key": lambda r, value: (
        value
        or log_key_path(None, r.values["store"], r.values["data_dir"])
        or "(ephemeral: give a data_dir or a key file)"
    ),
}
"""How an unset option reads in ``config show``: what the hub does instead of ``None``."""


def _file(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ValueError(f"cannot read the config file {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"the config file {path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"the config file {path} must be a mapping of option: value")
    known = {o.name for o in OPTIONS}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"the config file {path} has unknown options: {', '.join(unknown)}")
    return data


def resolve(cli: Mapping[str, Any], env: Mapping[str, str], config_file: Path | None) -> Resolved:
    """``cli`` holds only the options given on the command line."""
    from_file = _file(config_file or (Path(env["NGSP_SIM_CONFIG"]) if env.get("NGSP_SIM_CONFIG") else None))
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for option in OPTIONS:
        for source, raw in (
            ("command line", cli.get(option.name)),
            (f"environment {option.env}", env.get(option.env)),
            ("config file", from_file.get(option.name)),
        ):
            if raw is not None:
                try:
                    values[option.name] = option.parse(raw)
                except ValueError as exc:
                    raise ValueError(f"{option.name} (from {source}): {exc}") from None
                sources[option.name] = source
                break
        else:
            values[option.name], sources[option.name] = option.default, "default"
    if values["data_dir"] is None:  # the effective values, so that `config show` and `up` agree
        values["data_dir"] = default_data_dir(env)
    return Resolved(values, sources)
