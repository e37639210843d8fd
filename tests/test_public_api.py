"""The public surface is what ``__all__`` says, and each name is importable."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize(
    "module",
    [
        "ngsp_sim",
        "ngsp_sim.errors",
        "ngsp_sim.hub",
        "ngsp_sim.hub.runtime",
        "ngsp_sim.registry",
        "ngsp_sim.sim",
        "ngsp_sim.transport",
        "adapters",
        "adapters.base",
        "schemas.common",
    ],
)
def test_every_exported_name_exists(module: str) -> None:
    mod = importlib.import_module(module)
    assert len(mod.__all__) == len(set(mod.__all__))
    for name in mod.__all__:
        assert hasattr(mod, name), f"{module}.{name}"


def test_top_level_surface() -> None:
    import ngsp_sim

    assert set(ngsp_sim.__all__) == {
        "Clock",
        "HubConfig",
        "HubError",
        "ManualClock",
        "NgspSimError",
        "ServiceId",
        "SubsystemId",
        "SystemClock",
        "TopologyError",
        "create_app",
    }


def test_create_app_is_one_function_under_its_published_names() -> None:
    """``ngsp_sim.hub.create_app`` (published before the admin API left ``hub/``) is the whole hub."""
    import ngsp_sim
    import ngsp_sim.app
    from ngsp_sim.hub import create_app

    assert create_app is ngsp_sim.create_app is ngsp_sim.app.create_app


def test_create_app_refuses_an_option_it_does_not_know() -> None:
    from ngsp_sim import HubConfig, create_app

    with pytest.raises(TypeError, match="registry"):
        create_app(HubConfig(), registry=object())  # type: ignore[call-arg]  # the refusal is the point
