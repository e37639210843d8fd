"""The registry as the store keeps it: a base topology plus the runtime changes made since.

Every hub replica builds the same registry from the same store. :meth:`RegistrySource.refresh` rebuilds
it when the store's registry version moved (another replica recorded a change); the hub calls it in the
background and whenever a request names a client or service it does not know.

When a hub starts with a topology file whose content differs from the stored base, the file becomes the
new base and the recorded changes are replayed on top of it; a change that no longer applies is skipped
with a warning (and stays in the change history).

A running hub holds a lease on the store (:class:`HubLease`, renewed by :meth:`RegistrySource.poll`).
A hub whose topology differs is refused (:class:`StoreInUse`) while another hub's lease is fresh, so a
second ``ngsp-sim up`` can never swap the registry under a running one. Replicas share a store with the
same topology file. Should the stored base change anyway (a hub paused past its lease), a running hub
keeps the registry it has and says so, rather than taking up a topology it may not even be able to load.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import structlog
import yaml

from adapters.base import Adapter
from ngsp_sim.clock import Clock
from ngsp_sim.errors import StoreInUse, TopologyError
from ngsp_sim.registry.changes import ChangeError, apply_change
from ngsp_sim.registry.loader import load_spec, registry_from_spec, spec_from_data, with_contracts
from ngsp_sim.registry.model import Registry
from ngsp_sim.store import BaseTopology, HubLease, RegistryChange, Store

__all__ = ["RegistrySource"]

log = structlog.get_logger("ngsp_sim.registry")

Listener = Callable[[Registry], Awaitable[None]]


class RegistrySource:
    def __init__(
        self,
        store: Store,
        adapters: Mapping[str, type[Adapter]],
        simulators: Mapping[str, Any],
        clock: Clock,
        *,
        holder: str = "a hub",
        lease_seconds: float = 15.0,
    ) -> None:
        """``holder`` says who this hub is to a person another hub refuses; a lease not renewed for
        ``lease_seconds`` is taken for a hub that is gone."""
        self.store = store
        self.adapters = adapters
        self.simulators = simulators
        self.clock = clock
        self.registry: Registry | None = None
        self.version: tuple[str, int] = ("", -1)
        self.skipped: list[int] = []
        self._document: dict[str, Any] = {}
        self._listeners: list[Listener] = []
        self._lock = asyncio.Lock()
        self.hub_id = uuid.uuid4().hex
        self.holder = holder
        self.lease_seconds = lease_seconds
        self._digest = ""
        self._warned = ""

    @property
    def current(self) -> Registry:
        if self.registry is None:
            raise RuntimeError("the registry source has not started")
        return self.registry

    def on_change(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _lease(self) -> HubLease:
        return HubLease(self.hub_id, self._digest, self.holder, int(self.clock.now() * 1000))

    async def start(self, text: str, source: str) -> Registry:
        """Make ``text`` the base topology (if it differs from the stored one) and build the registry.

        Raises :class:`StoreInUse`, changing nothing, while another live hub serves another topology.
        The contract files its services name are stored inside it (:func:`with_contracts`): every replica
        reads them from the store, and a changed contract is a changed topology."""
        original, text = text, with_contracts(text, source)
        self._digest = digest = hashlib.sha256(text.encode()).hexdigest()
        stored = await self.store.get_base_topology()
        if stored is None or stored.sha256 != digest:
            load_spec(original, source, self.adapters, self.simulators)  # fail, with line numbers, before storing
        lease = self._lease()
        other = await self.store.claim_topology(
            BaseTopology(source, digest, text), lease, lease.seen_ms - int(self.lease_seconds * 1000)
        )
        if other is not None:
            raise StoreInUse(
                self.store.display, other.holder, (lease.seen_ms - other.seen_ms) / 1000, self.lease_seconds
            )
        if stored is not None and stored.sha256 != digest:
            log.info("topology file changed; recorded changes are replayed on the new base", source=source)
        await self._rebuild()
        return self.current

    async def poll(self) -> bool:
        """The background job: renew this hub's lease, then :meth:`refresh`."""
        await self.store.renew_lease(self._lease())
        return await self.refresh()

    async def stop(self) -> None:
        """Give the store up: another hub may now start with another topology at once. Best effort: a
        store gone already (a database down at shutdown) lets the lease lapse by itself."""
        try:
            await self.store.release_lease(self.hub_id)
        except Exception as exc:  # shutting down: the lease expires anyway
            log.warning(
                "could not release this hub's lease on the store; it lapses by itself",
                seconds=self.lease_seconds,
                problem=str(exc),
            )

    async def refresh(self) -> bool:
        """Rebuild if the store's registry moved; True when it did. A base topology other than this hub's
        is not taken up (see the module's docstring)."""
        if await self.store.registry_version() == self.version:
            return False
        async with self._lock:
            version = await self.store.registry_version()
            if version == self.version:
                return False
            if self._digest and version[0] != self._digest:
                if self._warned != version[0]:  # once per stored topology, not every poll
                    self._warned = version[0]
                    log.warning(
                        "the store's topology was replaced by another hub; this hub keeps serving its own "
                        "(restart it to serve the store's)",
                        store=self.store.display,
                    )
                return False
            await self._rebuild()
        return True

    async def _rebuild(self) -> None:
        version = await self.store.registry_version()
        base = await self.store.get_base_topology()
        if base is None:
            raise TopologyError("<store>", ["the store holds no topology"])
        document: dict[str, Any] = yaml.safe_load(base.text)
        skipped = []
        for change in await self.store.list_changes():
            trial = copy.deepcopy(document)
            try:
                apply_change(trial, change.op, change.payload)
                spec_from_data(trial, f"change {change.id}", self.adapters, self.simulators)
            except (ChangeError, TopologyError) as exc:
                skipped.append(change.id)
                log.warning(
                    "registry change no longer applies; skipped", change=change.id, op=change.op, problem=str(exc)
                )
                continue
            document = trial
        spec = spec_from_data(document, base.source, self.adapters, self.simulators)
        self._document, self.version, self.skipped = document, version, skipped
        self.registry = registry_from_spec(spec, self.adapters)
        for listener in self._listeners:
            await listener(self.registry)

    async def apply(self, op: str, payload: Any, actor: str) -> RegistryChange:
        """Validate and record one change, then rebuild. Raises :class:`ChangeError`."""
        async with self._lock:
            if self._digest and (await self.store.registry_version())[0] != self._digest:
                raise ChangeError("the store's topology was replaced by another hub; restart this hub", status=409)
            await self._rebuild()  # judge the change against the newest state
            trial = copy.deepcopy(self._document)
            apply_change(trial, op, payload)
            try:
                spec_from_data(trial, f"change {op}", self.adapters, self.simulators)
            except TopologyError as exc:
                # well-formed, but in conflict with the registry as it stands (a service or group it names
                # is not declared...): 409, as the admin document says
                raise ChangeError(
                    f"the registry would be invalid after {op}", status=409, problems=exc.problems
                ) from None
            change = RegistryChange(op, payload, actor, int(self.clock.now() * 1000))
            change_id = await self.store.add_change(change)
            await self._rebuild()
            return RegistryChange(op, payload, actor, change.ts_ms, change_id)
