"""The pytest plugin ``pip install ngsp-sim`` brings (entry point ``pytest11``): a hub in your tests.

::

    def test_my_connector_syncs_a_dossier(ngsp_hub):
        my_connector.sync(ngsp_hub.url, dossier)                      # your code, over real HTTP
        [sent] = ngsp_hub.messages(service="DongBoHoSoMC")
        assert sent.succeeded and not sent.violations

``ngsp_hub`` is a :class:`ngsp_sim.testing.embedded.HubHandle` of a hub started for the test on a free
loopback port and stopped after it. Choose what it runs with the marker::

    @pytest.mark.ngsp_hub(topology="my-country.yaml", seed=7, population=200)

``topology`` is a file path, or YAML text; the other keywords are :class:`ngsp_sim.config.HubConfig`
fields. ``ngsp_hub_factory`` starts more hubs (same keywords) when one test needs several.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ngsp_sim.config import HubConfig, MessageLogConfig, SecurityConfig
from ngsp_sim.testing.embedded import EmbeddedHub, HubHandle

__all__ = ["ngsp_hub", "ngsp_hub_factory"]

HubFactory = Callable[..., HubHandle]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "ngsp_hub(topology=None, **config): how the ngsp_hub fixture starts its hub (ngsp-sim)"
    )


def _hub(topology: str | Path | None = None, **options: Any) -> EmbeddedHub:
    text = None
    if isinstance(topology, str) and "\n" in topology:
        text, topology = topology, None
    options.setdefault("security", SecurityConfig(kdf_cost=2**10))  # fast hashing: these are tests
    options.setdefault("message_log", MessageLogConfig(flush_interval=0.05))
    options.setdefault("population", 200)
    config = HubConfig(port=0, topology=Path(topology) if topology else None, **options)
    return EmbeddedHub(config, topology_text=text)


@pytest.fixture
def ngsp_hub_factory() -> Iterator[HubFactory]:
    """Start hubs with ``factory(topology=..., **HubConfig fields)``; all stop after the test."""
    started: list[EmbeddedHub] = []

    def factory(**options: Any) -> HubHandle:
        hub = _hub(**options)
        started.append(hub)
        return hub.start()

    yield factory
    for hub in reversed(started):
        hub.stop()


@pytest.fixture
def ngsp_hub(request: pytest.FixtureRequest, ngsp_hub_factory: HubFactory) -> HubHandle:
    """A hub on a free loopback port for this test (the demo country unless the marker says)."""
    marker = request.node.get_closest_marker("ngsp_hub")
    return ngsp_hub_factory(**(marker.kwargs if marker else {}))
