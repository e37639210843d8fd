"""What ngsp-sim ships for its users' own test suites: everything here may use every other layer.

- :mod:`~ngsp_sim.testing.contract`: the adapter contract as functions (``round_trip``,
  ``check_garbage_answer``), re-exported here because scaffolded plugins import them from
  ``ngsp_sim.testing``;
- :mod:`~ngsp_sim.testing.embedded`: a hub on its own thread and loop (``EmbeddedHub``, ``HubHandle``);
- :mod:`~ngsp_sim.testing.pytest_plugin`: the ``ngsp_hub`` fixture (entry point ``pytest11``);
- :mod:`~ngsp_sim.testing.replay`: recorded fixtures and the provider that answers from them.
"""

from ngsp_sim.testing.contract import GARBAGE, check_garbage_answer, hub_call, round_trip
from ngsp_sim.testing.embedded import EmbeddedHub, HubHandle, LoggedExchange

__all__ = ["GARBAGE", "EmbeddedHub", "HubHandle", "LoggedExchange", "check_garbage_answer", "hub_call", "round_trip"]
