"""Scripted interoperability scenarios: the YAML format (:mod:`.model`), the runner inside the hub
(:mod:`.runner`), reports (:mod:`.report`) and ``ngsp-sim scenario`` (:mod:`.cli`). The shipped
scenarios live in ``library/``."""

from ngsp_sim.scenarios.model import Scenario, Step, load_scenario, shipped, shipped_scenario

__all__ = ["Scenario", "Step", "load_scenario", "shipped", "shipped_scenario"]
