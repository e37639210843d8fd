"""What a scenario run changes on the hub, and undoes when it ends.

A run injects faults and assigns throttling tiers as registry changes made in its name (as the admin
API makes them). Whatever it changed and did not put back itself is undone when the run ends, however
it ends (passed, failed, stopped, abandoned, or a reset): the faults are cleared and each service gets
back the tier it had before the run, so that the topology between runs is the one its file declares.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from ngsp_sim.registry.changes import ChangeError
from ngsp_sim.scenarios.values import StepFailed

__all__ = ["Apply", "RunEffects", "TierOf", "no_tier"]

Apply = Callable[[str, Any, str], Awaitable[Any]]
"""Record a registry change: (op, payload, actor), as the admin API does."""
TierOf = Callable[[str], str | None]
"""The throttling tier a service has now (None: none, or not registered)."""


def no_tier(service: str) -> str | None:
    return None


class RunEffects:
    def __init__(self, apply: Apply, tier_of: TierOf, actor: str) -> None:
        self._apply, self._tier_of, self.actor = apply, tier_of, actor
        self._faults: list[str] = []
        self._tiers: dict[str, str | None] = {}
        """Service -> the tier it had before the run first throttled it."""

    async def change(self, op: str, payload: Any) -> None:
        try:
            await self._apply(op, payload, self.actor)
        except ChangeError as exc:
            why = "".join(f"; {problem}" for problem in exc.problems)
            raise StepFailed(f"the hub refused {op}: {exc.message}{why}") from None

    async def inject(self, fault: dict[str, Any]) -> None:
        await self.change("put_fault", fault)
        self._faults.append(str(fault["id"]))

    async def clear(self, fault_id: str) -> None:
        await self.change("delete_fault", {"id": fault_id})
        with contextlib.suppress(ValueError):
            self._faults.remove(fault_id)

    async def throttle(self, service: str, tier: str) -> None:
        before = self._tier_of(service)
        await self.change("put_service_tier", {"service": service, "tier": tier})
        self._tiers.setdefault(service, before)

    async def undo(self) -> list[str]:
        """Put back what the run left changed; what was undone: fault ids, and ``tier:SERVICE``."""
        undone: list[str] = []
        for fault_id in self._faults:
            with contextlib.suppress(ChangeError):
                await self._apply("delete_fault", {"id": fault_id}, self.actor)
                undone.append(fault_id)
        for service, tier in self._tiers.items():
            with contextlib.suppress(ChangeError):
                await self._apply("put_service_tier", {"service": service, "tier": tier}, self.actor)
                undone.append(f"tier:{service}")
        self._faults.clear()
        self._tiers.clear()
        return undone
