"""ngsp-sim: a simulator of Vietnam's national government integration platforms.

The public surface is small: build a hub with :func:`create_app` from a :class:`HubConfig`; errors
are in :mod:`ngsp_sim.errors`.
"""

from ngsp_sim.app import create_app
from ngsp_sim.clock import Clock, ManualClock, SystemClock
from ngsp_sim.config import HubConfig
from ngsp_sim.errors import HubError, NgspSimError, TopologyError
from ngsp_sim.identifiers import ServiceId, SubsystemId

__all__ = [
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
]

__version__ = "0.1.0"
