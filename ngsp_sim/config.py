"""Explicit configuration objects. The environment is read only at the CLI edge, never here."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

from ngsp_sim.exchange.delivery import DeliveryConfig
from ngsp_sim.monitoring.message_log import MessageLogConfig
from ngsp_sim.security.guard import FailedAuthConfig
from ngsp_sim.transport.resilience import BreakerConfig

__all__ = [
    "DEFAULT_POPULATION",
    "DEFAULT_SEED",
    "MAX_TOKEN_CACHE_SECONDS",
    "ConnectionLimits",
    "FailedAuthConfig",
    "HubConfig",
    "MessageLogConfig",
    "SecurityConfig",
    "TlsConfig",
]

DEFAULT_SEED = 20251121
DEFAULT_POPULATION = 1000
MAX_TOKEN_CACHE_SECONDS = 2.0
"""The README promises that a rotated key's tokens stop working within this, on every replica."""


@dataclass(frozen=True, slots=True)
class SecurityConfig:
    """Tokens, secret hashing, failed-authentication throttling and the hard limits on what a request
    may be. ``token_cache_seconds`` is how long a replica trusts a token it validated against the store
    without asking again: the longest a revoked token (rotation) keeps working there."""

    token_ttl: int = 3600
    kdf_cost: int = 2**14
    max_url_length: int = 8 * 1024
    max_header_size: int = 8 * 1024
    max_headers_size: int = 32 * 1024
    max_header_count: int = 100
    token_cache_seconds: float = 1.0
    failed_auth: FailedAuthConfig = field(default_factory=FailedAuthConfig)
    trusted_proxies: tuple[str, ...] = ()
    """Reverse proxies in front of the hub (addresses or networks): failed authentications through them
    count against the address their ``X-Forwarded-For`` names. Empty: the header is ignored (anyone
    can write it) and the peer address counts."""

    def __post_init__(self) -> None:
        if self.token_ttl < 1:
            raise ValueError("token_ttl must be at least 1 second")
        if not 0 <= self.token_cache_seconds <= MAX_TOKEN_CACHE_SECONDS:
            raise ValueError(f"token_cache_seconds must be between 0 and {MAX_TOKEN_CACHE_SECONDS:g}")
        for proxy in self.trusted_proxies:
            ipaddress.ip_network(proxy, strict=False)  # ValueError names the bad one
        if self.kdf_cost < 2 or self.kdf_cost & (self.kdf_cost - 1):
            raise ValueError("kdf_cost (scrypt N) must be a power of 2")
        if min(self.max_url_length, self.max_header_size, self.max_headers_size, self.max_header_count) < 1:
            raise ValueError("the URL and header limits must be positive")


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    """What one HTTP connection may cost the server (see :mod:`ngsp_sim.hub.connections`).

    ``header_timeout``: seconds a client has to send a request line and all its headers, counted from
    the connection's opening (first request) or from the first byte of a later request; a connection
    that sends nothing is closed after it too. ``keepalive_timeout``: seconds an idle keep-alive
    connection stays open between requests (longer than the 15 s for which HTTP clients such as
    aiohttp and requests pool a connection, so a client never reuses one the hub just closed).
    ``max_connections``: open connections above which a new one is answered 503 and closed at once;
    it is lowered to stay below the process's open-file limit (``RLIMIT_NOFILE``), so the hub keeps
    descriptors for its store and providers. ``backlog``: the listen queue of the kernel.
    """

    header_timeout: float = 10.0
    keepalive_timeout: float = 75.0
    max_connections: int = 512
    backlog: int = 128

    def __post_init__(self) -> None:
        if self.header_timeout <= 0 or self.keepalive_timeout <= 0:
            raise ValueError("header_timeout and keepalive_timeout must be positive seconds")
        if self.max_connections < 1 or self.backlog < 1:
            raise ValueError("max_connections and backlog must be at least 1")


@dataclass(frozen=True, slots=True)
class TlsConfig:
    """HTTPS for the hub (``up --tls``): ``directory`` holds its local CA, server certificate and the
    client certificates it issued (made on first start, reused after: :mod:`ngsp_sim.security.tls`).
    The hub's port then speaks HTTPS only; ``http_port`` adds a plain-HTTP listener (0: a free port)
    for clients whose connection type is ``http``."""

    directory: Path
    http_port: int | None = None

    def __post_init__(self) -> None:
        if self.http_port is not None and not 0 <= self.http_port <= 65535:
            raise ValueError(f"http_port {self.http_port} is outside 0-65535")


@dataclass(frozen=True, slots=True)
class HubConfig:
    """How one hub runs.

    ``topology`` ``None`` means the built-in demo country. Storage: ``store_url`` (``sqlite:///...`` or
    ``postgresql://...``), else a SQLite file in ``data_dir``, else an in-memory SQLite database that
    vanishes with the process. ``max_body_size`` caps request bodies and provider answers alike.
    ``log_key`` is the message log's key file (default: ``message-log.key`` beside the SQLite file or in
    ``data_dir``; see :func:`ngsp_sim.store.log_key_path`). ``seed`` makes the simulated agencies'
    synthetic data reproducible. ``admin_token`` guards
    ``/api/v1``; ``None`` makes the hub generate one (see ``HubRuntime.admin_token``).
    """

    host: str = "127.0.0.1"
    port: int = 8080
    topology: Path | None = None
    store_url: str | None = None
    data_dir: Path | None = None
    log_key: Path | None = None
    max_body_size: int = 10 * 1024 * 1024
    seed: int = DEFAULT_SEED
    population: int = DEFAULT_POPULATION
    log_level: str = "info"
    log_json: bool = True
    mask_pii: bool = True
    admin_token: str | None = field(default=None, repr=False)
    message_log: MessageLogConfig = field(default_factory=MessageLogConfig)
    security: SecurityConfig = field(default_factory=SecurityConfig)
    breaker: BreakerConfig = field(default_factory=BreakerConfig)
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
    connections: ConnectionLimits = field(default_factory=ConnectionLimits)
    tls: TlsConfig | None = None
    """Serve HTTPS (see :class:`TlsConfig`); ``None``: plain HTTP."""
    registry_poll_interval: float = 2.0
    upstream: str | None = None
    """The NGSP hub's URL, for a hub running as an LGSP: replaces the topology's ``upstream.url``."""
    scenario_step_timeout: float = 900.0
    """Seconds a step-mode scenario run waits for its next step before it ends abandoned."""
    lease_seconds: float = 15.0
    """A hub renews its claim on the store every ``registry_poll_interval``; one silent this long is gone
    (another topology may then take the store)."""

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port {self.port} is outside 0-65535")
        if self.max_body_size < 1024:
            raise ValueError("max_body_size below 1 KiB would refuse ordinary requests")
        if self.population < 0:
            raise ValueError("population cannot be negative")
        if self.scenario_step_timeout <= 0:
            raise ValueError("scenario_step_timeout must be positive")
        if self.lease_seconds < 2 * self.registry_poll_interval:
            raise ValueError("lease_seconds must cover at least two registry polls")
        if self.admin_token is not None and len(self.admin_token) < 16:
            raise ValueError("the admin token must be at least 16 characters")
