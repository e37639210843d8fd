"""Shared fixtures: a hub on a real loopback socket (pytest-aiohttp), a controllable clock, demo data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

import adapters
from adapters.base import Adapter
from ngsp_sim import sim
from ngsp_sim.clock import ManualClock
from ngsp_sim.config import HubConfig
from ngsp_sim.hub import create_app
from ngsp_sim.registry import Registry, load_registry
from ngsp_sim.sim import Country
from tests.helpers import MakeHub, registry_from


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(scope="session")
def demo_registry() -> Registry:
    return load_registry(None, adapters.BUILTIN, sim.BUILTIN)


@pytest.fixture
def make_hub(aiohttp_client: Any, clock: ManualClock) -> MakeHub:
    """Start a hub on a loopback port; ``topology`` (YAML text) replaces the demo country."""

    async def make(
        topology: str | None = None,
        *,
        extra_adapters: Mapping[str, type[Adapter]] | None = None,
        **config: Any,
    ) -> TestClient[Any, Any]:
        registry = registry_from(topology, extra_adapters) if topology else None
        app = create_app(
            HubConfig(population=50, **config),
            registry=registry,
            clock=clock,
            country=Country.generate(7, 50, 10),
            adapters={**adapters.BUILTIN, **(extra_adapters or {})},
        )
        client: TestClient[Any, Any] = await aiohttp_client(app)
        return client

    return make


@pytest.fixture
async def hub(make_hub: MakeHub) -> TestClient[Any, Any]:
    return await make_hub()
