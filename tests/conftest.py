"""Shared fixtures: a hub on a real loopback socket (pytest-aiohttp), a controllable clock, demo data."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

import adapters
from adapters.base import Adapter
from ngsp_sim import sim
from ngsp_sim.app import create_app
from ngsp_sim.clock import ManualClock
from ngsp_sim.config import HubConfig, SecurityConfig
from ngsp_sim.registry import Registry, load_registry
from ngsp_sim.sim import Country
from ngsp_sim.store import Store, store_from_url
from tests.helpers import ADMIN_TOKEN, MakeHub, missing_tool


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
        store: Store | None = None,
        **config: Any,
    ) -> TestClient[Any, Any]:
        config.setdefault("admin_token", ADMIN_TOKEN)
        config.setdefault("security", SecurityConfig(kdf_cost=2**10))  # fast hashing; production uses 2**14
        app = create_app(
            HubConfig(population=50, **config),
            topology_text=topology,
            store=store,
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


PG_URL = os.environ.get("NGSP_SIM_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


async def _pg_reachable() -> str | None:
    try:
        import asyncpg
    except ImportError:
        return "asyncpg is not installed"
    try:
        conn = await asyncio.wait_for(asyncpg.connect(PG_URL), 5)
    except Exception as exc:  # any failure to connect means "not here"
        return f"PostgreSQL at {PG_URL} is not reachable: {exc}"
    await conn.close()
    return None


async def _drop_schema(schema: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL store URL with a fresh schema, dropped afterwards. Skips on a machine without
    PostgreSQL; with CI=true a missing PostgreSQL fails instead. (A sync fixture, so that other
    fixtures can request it; it runs its own short event loops.)"""
    problem = asyncio.run(_pg_reachable())
    if problem:
        missing_tool(problem)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield f"{PG_URL}?schema={schema}"
    asyncio.run(_drop_schema(schema))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite://{tmp_path / 'store.sqlite3'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    """Each backend, opened (migrations applied) and closed after the test."""
    opened = store_from_url(store_url)
    await opened.open()
    yield opened
    await opened.close()
