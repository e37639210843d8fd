"""Throttling: token buckets per client and per service, by named tiers (requests per second with a
burst). Buckets are kept per hub process; with several replicas each enforces its tier on its share.
Time comes from the hub's clock, so tests drain and refill buckets without waiting."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ngsp_sim.clock import Clock
from ngsp_sim.errors import Throttled
from ngsp_sim.registry.model import Tier

__all__ = ["Bucket", "Throttler", "Tier", "take_all"]


class Bucket:
    def __init__(self, tier: Tier, now: float) -> None:
        self.tier = tier
        self.tokens = float(tier.burst)
        self.updated = now

    def take(self, now: float) -> float:
        """Take one token; 0.0 when allowed, else the seconds until one is available."""
        self.tokens = min(self.tier.burst, self.tokens + (now - self.updated) * self.tier.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.tier.rate

    def give_back(self) -> None:
        """Return a token taken for something that turned out not to count."""
        self.tokens = min(self.tier.burst, self.tokens + 1)

    def full(self, now: float) -> bool:
        """Refilled to its burst: the bucket holds no memory worth keeping."""
        return self.tokens + (now - self.updated) * self.tier.rate >= self.tier.burst


def take_all(buckets: Sequence[Bucket], now: float) -> tuple[int | None, float]:
    """Take one token from every bucket, or from none: ``(None, 0.0)`` when all gave one, else the
    index of the first empty bucket and the seconds until it has a token again."""
    for index, bucket in enumerate(buckets):
        wait = bucket.take(now)
        if wait:
            for done in buckets[:index]:
                done.give_back()
            return index, wait
    return None, 0.0


class Throttler:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._buckets: dict[tuple[str, str], Bucket] = {}

    def reset(self) -> None:
        """Every bucket full again (a new training session)."""
        self._buckets.clear()

    def check(self, limits: Mapping[tuple[str, str], Tier]) -> None:
        """``limits`` maps (kind, who) to its tier, e.g. ("client", "VN/GOV/...") -> gold. Raises
        :class:`Throttled` naming the first exhausted bucket; takes nothing from any bucket then."""
        now = self.clock.monotonic()
        buckets = []
        for key, tier in limits.items():
            bucket = self._buckets.get(key)
            if bucket is None or bucket.tier != tier:
                bucket = self._buckets[key] = Bucket(tier, now)
            buckets.append((key, bucket))
        empty, wait = take_all([bucket for _, bucket in buckets], now)
        if empty is not None:
            (kind, who), bucket = buckets[empty]
            raise Throttled(
                f"the {kind} {who} is over its tier '{bucket.tier.name}' "
                f"({bucket.tier.rate:g} requests/s, burst {bucket.tier.burst})",
                retry_after=wait,
            )
