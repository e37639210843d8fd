"""Classes the plugin-discovery tests load through entry points."""

from __future__ import annotations

from adapters.population import PopulationAdapter
from adapters.tax import TaxAdapter
from ngsp_sim.sim.tax import TaxAgency


class LandAdapter(TaxAdapter):
    name = "land"


class LandAgency(TaxAgency):
    kind = "land"


class ClashingAdapter(PopulationAdapter):
    name = "population"


NOT_A_CLASS = 42
