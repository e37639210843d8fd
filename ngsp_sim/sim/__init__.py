"""Simulated agencies speaking their native APIs over one seeded synthetic country."""

from __future__ import annotations

from types import MappingProxyType

from ngsp_sim.sim.base import SimulatedAgency
from ngsp_sim.sim.business import BusinessAgency
from ngsp_sim.sim.civil_status import CivilStatusAgency
from ngsp_sim.sim.context import AgencyContext
from ngsp_sim.sim.country import DEMO_BUSINESS, DEMO_CITIZEN, DEMO_DOSSIER, DEMO_JOURNAL, Country
from ngsp_sim.sim.criminal_records import CriminalRecordsAgency
from ngsp_sim.sim.document_system import DocumentSystem
from ngsp_sim.sim.dvcqg import DvcqgAgency
from ngsp_sim.sim.one_stop import OneStopAgency
from ngsp_sim.sim.payment import PaymentAgency
from ngsp_sim.sim.population import PopulationAgency
from ngsp_sim.sim.reference_lists import ReferenceListsAgency
from ngsp_sim.sim.social_insurance import SocialInsuranceAgency
from ngsp_sim.sim.tax import TaxAgency
from ngsp_sim.sim.vdxp import VdxpAgency

__all__ = [
    "BUILTIN",
    "DEMO_BUSINESS",
    "DEMO_CITIZEN",
    "DEMO_DOSSIER",
    "DEMO_JOURNAL",
    "AgencyContext",
    "Country",
    "SimulatedAgency",
]

BUILTIN: MappingProxyType[str, type[SimulatedAgency]] = MappingProxyType(
    {
        cls.kind: cls
        for cls in (
            PopulationAgency,
            DvcqgAgency,
            BusinessAgency,
            CivilStatusAgency,
            SocialInsuranceAgency,
            TaxAgency,
            CriminalRecordsAgency,
            ReferenceListsAgency,
            PaymentAgency,
            OneStopAgency,
            VdxpAgency,
            DocumentSystem,
        )
    }
)
