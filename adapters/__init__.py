"""Protocol adapters: one module per native protocol, all of the same shape (see ``adapters.base``).

``BUILTIN`` maps each adapter's name, as a topology file writes it, to its class.
"""

from __future__ import annotations

from types import MappingProxyType

from adapters.base import Adapter
from adapters.business import BusinessAdapter
from adapters.civil_status import CivilStatusAdapter
from adapters.criminal_records import CriminalRecordsAdapter
from adapters.dvcqg import DvcqgAdapter
from adapters.edxml import EdxmlAdapter
from adapters.one_stop import OneStopAdapter
from adapters.payment import PaymentAdapter
from adapters.population import PopulationAdapter
from adapters.reference_lists import ReferenceListsAdapter
from adapters.social_insurance import SocialInsuranceAdapter
from adapters.tax import TaxAdapter

__all__ = ["BUILTIN", "Adapter"]

BUILTIN: MappingProxyType[str, type[Adapter]] = MappingProxyType(
    {
        cls.name: cls
        for cls in (
            PopulationAdapter,
            DvcqgAdapter,
            BusinessAdapter,
            CivilStatusAdapter,
            SocialInsuranceAdapter,
            TaxAdapter,
            CriminalRecordsAdapter,
            ReferenceListsAdapter,
            PaymentAdapter,
            OneStopAdapter,
            EdxmlAdapter,
        )
    }
)
