"""Failed authentication, throttled: wrong ``/token`` secrets and wrong admin tokens cost the one who
guesses, not everyone else.

Each attempt takes a token from two buckets before the credential is looked at: one for its *source*
(the peer address; an IPv6 address by its /64, which one host usually holds whole) and one for the *key*
it names (the consumer key, or the admin token as one key). A successful attempt gives both tokens back,
so authenticating successfully never counts and is never slowed; a failed one keeps them. When either
bucket is empty the attempt is refused (429 with ``Retry-After``) without checking the credential, so
guesses cannot go faster than the buckets refill, not even many at once (the token is taken first).

Why both, and why the key bucket is larger and refills faster: the source bucket stops one address
trying many keys; the key bucket stops many addresses trying one key. One address alone can never
empty a key's bucket, so an attacker at one address locks out only itself; a client at another address
is affected only when a spread-out attack targets its very key. Consumer secrets and the admin token
have buckets of their own (a connector's negative tests of ``/token`` do not lock its host out of the
admin API). Buckets live in the hub process (as the tier buckets do) on the hub's clock, so tests move
time instead of waiting.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ngsp_sim.clock import Clock
from ngsp_sim.errors import Throttled
from ngsp_sim.security.throttle import Bucket, Tier, take_all

if TYPE_CHECKING:
    from ngsp_sim.monitoring.metrics import HubMetrics

__all__ = ["Attempt", "FailedAuthConfig", "FailedAuthGuard", "Kind", "source_of"]

Kind = Literal["token", "admin"]
_KEY_NAMES: dict[Kind, str] = {"token": "consumer key", "admin": "admin token"}

MAX_BUCKETS = 100_000
"""Buckets kept at most; refilled ones are dropped first, then the oldest (bounded memory under a
spray of random keys or addresses)."""
MAX_KEY = 128
"""Characters of a claimed key that name its bucket (a key is attacker-chosen and may be kilobytes)."""


@dataclass(frozen=True, slots=True)
class FailedAuthConfig:
    """Failed authentications allowed in a burst, and forgiven per second, per source and per key."""

    source_burst: int = 10
    source_rate: float = 0.2
    key_burst: int = 30
    key_rate: float = 0.5

    def __post_init__(self) -> None:
        if min(self.source_burst, self.key_burst) < 1 or min(self.source_rate, self.key_rate) <= 0:
            raise ValueError("failed-authentication bursts must be at least 1 and rates above 0")
        if self.key_burst <= self.source_burst or self.key_rate < self.source_rate:
            raise ValueError(
                "the per-key burst and rate must exceed the per-source ones, so that one address cannot lock a key"
            )


Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(text: str | None) -> Address | None:
    try:
        address = ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def source_of(peer: str | None, forwarded: Sequence[str] = (), trusted: Sequence[Network] = ()) -> str:
    """The address a source is known by (IPv4 as is, IPv6 by its /64): the peer, or, when the peer is
    a trusted proxy, the nearest ``X-Forwarded-For`` entry that is not (proxies append on the right)."""
    address = _address(peer)
    if address is None:
        return peer or "-"
    if any(address in network for network in trusted):
        for entry in reversed([e for value in forwarded for e in value.split(",")]):
            hop = _address(entry)
            if hop is None:
                break
            address = hop
            if not any(hop in network for network in trusted):
                break
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class Attempt:
    """One authentication in progress; :meth:`failed` marks it wrong (its tokens stay taken)."""

    def __init__(self) -> None:
        self.wrong = False

    def failed(self) -> None:
        self.wrong = True


class FailedAuthGuard:
    def __init__(
        self,
        clock: Clock,
        config: FailedAuthConfig,
        metrics: HubMetrics | None = None,
        trusted_proxies: Sequence[str] = (),
    ) -> None:
        """``trusted_proxies`` (addresses or networks): a request from one of them is counted against
        the address its ``X-Forwarded-For`` names, not against the proxy."""
        self.clock = clock
        self.metrics = metrics
        self._tiers = {
            "source": Tier("failed authentication per source", config.source_rate, config.source_burst),
            "key": Tier("failed authentication per key", config.key_rate, config.key_burst),
        }
        self._buckets: dict[tuple[str, str], Bucket] = {}
        self._trusted = [ipaddress.ip_network(proxy, strict=False) for proxy in trusted_proxies]

    @contextmanager
    def attempt(self, kind: Kind, key: str, peer: str | None, forwarded: Sequence[str] = ()) -> Iterator[Attempt]:
        """Guard one check of a credential of ``kind`` (``token``, ``admin``) naming ``key``, from
        ``peer`` (with its ``X-Forwarded-For`` values). Raises :class:`Throttled` (before the body runs)
        when the source or key is over its allowance of failures."""
        now = self.clock.monotonic()
        source = source_of(peer, forwarded, self._trusted)
        named = {
            ("source", f"{kind}:{source}"): f"from {source}",
            ("key", f"{kind}:{key[:MAX_KEY]}"): f"for this {_KEY_NAMES[kind]}",
        }
        taken = [self._bucket(bucket_key, now) for bucket_key in named]
        empty, wait = take_all(taken, now)
        if empty is not None:
            if self.metrics is not None:
                self.metrics.auth_throttled.labels(kind).inc()
            where = list(named.values())[empty]
            raise Throttled(f"too many failed authentications {where}", retry_after=wait)
        attempt = Attempt()
        try:
            yield attempt
        finally:
            if attempt.wrong:
                if self.metrics is not None:
                    self.metrics.auth_failures.labels(kind).inc()
            else:
                for done in taken:
                    done.give_back()

    def _bucket(self, key: tuple[str, str], now: float) -> Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= MAX_BUCKETS:  # drop to three quarters at once, so this runs rarely
                kept = [(k, b) for k, b in self._buckets.items() if not b.full(now)]
                self._buckets = dict(kept[max(0, len(kept) - MAX_BUCKETS * 3 // 4) :])
            bucket = self._buckets[key] = Bucket(self._tiers[key[0]], now)
        return bucket
