"""Every service of the demo catalog is callable through the hub by a demo client that has the right,
with a valid request, and answers without a platform error."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

import adapters
from adapters.edxml import build_edoc
from ngsp_sim import sim
from ngsp_sim.contracts.examples import EXAMPLES
from ngsp_sim.registry import Service, load_registry
from tests.edxml_helpers import G01, H29, QLVB, VDXP
from tests.test_adapter_contract import CASES

REGISTRY = load_registry(None, adapters.BUILTIN, sim.BUILTIN)
PAYLOADS = {(c.adapter, c.operation): c for c in CASES}
README_CLIENTS = [
    "VN/GOV/000.00.00.H29/MOTCUA",
    "VN/GOV/000.00.00.H56/MOTCUA",
    "VN/GOV/000.00.00.G15/HOTICH",
    "VN/GOV/000.00.00.G22/DVCQG",
    "VN/GOV/000.00.00.H29/QLVB",
]


def test_the_catalog_has_at_least_20_services_across_8_agencies() -> None:
    assert len(REGISTRY.services) >= 20
    assert (
        len(
            {s.id.subsystem.member_code for s in REGISTRY.services.values()}
            | {a.member.member_code for a in REGISTRY.agencies.values()}
        )
        >= 8
    )


SERVICES = sorted(REGISTRY.services.values(), key=lambda s: str(s.id))


@pytest.mark.parametrize("service", SERVICES, ids=[str(s.id) for s in SERVICES])
async def test_every_service_is_callable_through_the_hub(hub: TestClient[Any, Any], service: Service) -> None:
    client = next(c for c in README_CLIENTS if REGISTRY.rules_for(REGISTRY.subsystems[_sub(c)].id, service.id))
    case = PAYLOADS[(service.adapter, service.operation)]
    url = f"/r1/{service.id}"
    headers = {"X-Road-Client": client}
    query = dict(case.query or {})
    if service.operation == "updateStatus":  # a status about the sendEdoc example's document, by its recipient
        example = EXAMPLES[("edxml", "sendEdoc")]
        sent = await hub.post(
            f"/r1/{VDXP}/sendEdoc",
            data=example.xml,
            headers={"X-Road-Client": example.client, "Content-Type": "text/xml"},
        )
        assert sent.status == 200, await sent.text()
        headers = {"X-Road-Client": EXAMPLES[("edxml", "updateStatus")].client}
    elif service.adapter == "edxml":  # mailbox operations need a document on the axis: G01 sends SEEDED to H29
        sent = await hub.post(
            f"/r1/{VDXP}/sendEdoc",
            data=build_edoc(G01, [H29], number="1", notation="VP", date="2025/11/21", subject="Seeded"),
            headers={"X-Road-Client": QLVB[G01["OrganId"]], "Content-Type": "text/xml"},
        )
        assert sent.status == 200, await sent.text()
        query = {"docId": (await sent.json())["docId"]} if "docId" in query else query
    if case.method == "GET":
        resp = await hub.get(url, params=query, headers=headers)
    elif case.body is not None:
        resp = await hub.post(url, data=case.body, headers={**headers, "Content-Type": "text/xml"})
    else:
        resp = await hub.post(url, json=case.payload, headers=headers)
    if resp.content_type == "text/xml":
        assert resp.status == 200 and b"edXMLEnvelope" in await resp.read()
        return
    body: Any = await resp.json()
    assert "X-Road-Error" not in resp.headers, body
    assert resp.status == 200


def _sub(text: str) -> Any:
    from ngsp_sim.identifiers import SubsystemId

    return SubsystemId.parse(text)
