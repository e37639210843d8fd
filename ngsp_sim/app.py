"""The whole hub application: the data plane (:mod:`ngsp_sim.hub`) with the operator's plane
(:mod:`ngsp_sim.admin`: admin API and dashboard) added to it.

This is the one module that knows both planes, so that neither imports the other's composition:
the hub builds its runtime and routes and takes the planes it is given; the admin API reads the
running hub and never builds one.
"""

from __future__ import annotations

from typing import Unpack

from aiohttp import web

from ngsp_sim.admin.api import add_routes
from ngsp_sim.admin.ui import add_ui_routes
from ngsp_sim.config import HubConfig
from ngsp_sim.hub.app import HubOptions, create_hub

__all__ = ["create_app"]


def create_app(config: HubConfig, **options: Unpack[HubOptions]) -> web.Application:
    """Build a hub. ``topology_text`` (YAML) overrides ``config.topology``; ``store``, ``clock`` and
    ``country`` let tests control storage, time and data; ``adapters`` and ``simulators`` replace the
    built-in ones (``adapters.BUILTIN``, ``ngsp_sim.sim.BUILTIN``); ``tracer_provider`` (an OpenTelemetry
    SDK provider) turns on span export. The running hub is ``app[ngsp_sim.hub.runtime.HUB]`` once started."""
    return create_hub(config, planes=(add_routes, add_ui_routes), **options)
