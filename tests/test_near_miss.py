"""Why did my call miss (issue 21): every "unknown" refusal names the nearest registered thing, with
"did you mean …" in the message and the candidates in ``detail``, in both wire styles; an access
refusal names the closest rule and what it allows."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests import helpers
from tests.helpers import BUSINESS, HOTICH, MOTCUA, POPULATION, SYNC, MakeHub

POP = "VN/GOV/000.00.00.G01/CSDLQGDC"


def dossier_sync() -> dict[str, Any]:
    return {"isUpdating": False, "data": [helpers.dossier()]}


async def r1_error(resp: Any, error_type: str) -> dict[str, Any]:
    body = await resp.json()
    assert resp.headers["X-Road-Error"] == error_type, body
    return dict(body)


async def gateway_fault(resp: Any, status: int, code: int) -> str:
    body = await resp.json()
    assert (resp.status, body["fault"]["code"]) == (status, code), body
    return str(body["fault"]["description"])


@pytest.mark.parametrize(
    ("path", "client", "error_type", "meant", "listed"),
    [
        pytest.param(
            f"/r1/{POP}/TraCuuThongTinCongDna",
            MOTCUA,
            "Server.ServerProxy.UnknownService",
            "did you mean TraCuuThongTinCongDan?",
            "TraCuuThongTinCongDan",
            id="service-code",
        ),
        pytest.param(
            POPULATION,
            "VN/GOV/000.00.00.H29/MOTCAU",
            "Server.ClientProxy.UnknownMember",
            f"did you mean {MOTCUA}?",
            MOTCUA,
            id="client-subsystem",
        ),
        pytest.param(
            POPULATION,
            "VN/GOV/000.00.00.H92/MOTCUA",
            "Server.ClientProxy.UnknownMember",
            f"did you mean {MOTCUA}?",
            MOTCUA,
            id="client-member-code",
        ),
        pytest.param(
            POPULATION,
            "VN/GOV/000.00.00.H92",
            "Server.ClientProxy.UnknownMember",
            "did you mean VN/GOV/000.00.00.H29?",
            "VN/GOV/000.00.00.H29",
            id="member-client",
        ),
        pytest.param(
            "/r1/VN/GOV/000.00.00.G10/CSDLQGDC/TraCuuThongTinCongDan",
            MOTCUA,
            "Server.ClientProxy.UnknownMember",
            f"did you mean {POP}?",
            POP,
            id="provider-member-code",
        ),
        pytest.param(
            "/r1/VN/GOV/000.00.00.G12/CSDLDKDN/TraCuuThongTinCongDan",
            MOTCUA,
            "Server.ServerProxy.UnknownService",
            f"did you mean {POP}/TraCuuThongTinCongDan?",
            f"{POP}/TraCuuThongTinCongDan",
            id="service-at-another-provider",
        ),
    ],
)
async def test_an_unknown_identifier_on_r1_names_the_nearest(
    hub: TestClient[Any, Any], path: str, client: str, error_type: str, meant: str, listed: str
) -> None:
    resp = await hub.post(path, json=helpers.lookup_body(), headers={"X-Road-Client": client})
    body = await r1_error(resp, error_type)
    assert body["message"].endswith(meant), body
    assert listed in body["detail"], body


@pytest.mark.parametrize(
    ("path", "meant"),
    [
        pytest.param(
            "/apiCSDLQGCD/1.0/TraCuuThongTinCongDan", "/apiCSDLQGDC/1.0/TraCuuThongTinCongDan", id="gateway-context"
        ),
        pytest.param(
            "/apiCSDLDKDN/2.0/chiTietDoanhNghiep", "/apiCSDLDKDN/1.0/chiTietDoanhNghiep", id="gateway-version"
        ),
        pytest.param(
            "/apiCSDLQGDC/1.0/TraCuuThongTinCongDna", "/apiCSDLQGDC/1.0/TraCuuThongTinCongDan", id="gateway-resource"
        ),
    ],
)
async def test_an_unknown_gateway_address_names_the_nearest(hub: TestClient[Any, Any], path: str, meant: str) -> None:
    token = await helpers.token_for(hub)
    resp = await hub.post(path, json=helpers.lookup_body(), headers={"Authorization": f"Bearer {token}"})
    description = await gateway_fault(resp, 404, 900906)
    assert f"did you mean {meant}?" in description
    assert f"closest registered: {meant}" in description


async def test_get_openapi_of_a_misspelled_service_names_the_nearest(hub: TestClient[Any, Any]) -> None:
    resp = await hub.get(
        f"/r1/{POP}/getOpenAPI", params={"serviceCode": "TraCuuThongTinCongDna"}, headers={"X-Road-Client": MOTCUA}
    )
    body = await r1_error(resp, "Server.ServerProxy.UnknownService")
    assert body["message"].endswith("did you mean TraCuuThongTinCongDan?"), body


@pytest.mark.parametrize("style", ["r1", "gateway"])
async def test_an_access_refusal_names_the_closest_rule(make_hub: MakeHub, style: str) -> None:
    topology = helpers.provider_topology(
        access_paths=["/public/**"], access_methods=["GET"], gateway={"context": "dkdn", "version": "2.0"}
    )
    hub = await make_hub(topology)
    rule = f"the closest rule ({MOTCUA}) allows GET on /public/**"
    if style == "r1":
        resp = await hub.get(f"{BUSINESS}/private", params={"msdn": "0312345673"}, headers={"X-Road-Client": MOTCUA})
        body = await r1_error(resp, "Server.ServerProxy.AccessDenied")
        assert body["message"].endswith(rule), body
        assert body["detail"] == "rules for this client: GET on /public/**"
    else:
        token = await helpers.token_for(hub)
        resp = await hub.get(
            "/dkdn/2.0/chiTietDoanhNghiep/private",
            params={"msdn": "0312345673"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert rule in await gateway_fault(resp, 403, 900908)


async def test_an_access_refusal_without_a_rule_names_the_clients_nearest_right(hub: TestClient[Any, Any]) -> None:
    """Civil status may look dossiers up at DVCQG but not sync them: the refusal names its own right
    there, never another client's."""
    resp = await hub.post(SYNC, json=dossier_sync(), headers={"X-Road-Client": HOTICH})
    body = await r1_error(resp, "Server.ServerProxy.AccessDenied")
    assert body["message"].endswith(
        f"no rule grants {HOTICH} this service: the closest rule ({HOTICH}) grants TraCuuHoSo every method on every path"
    ), body
    assert body["detail"] == f"{HOTICH} may call on VN/GOV/000.00.00.G22/DVCQG: TraCuuHoSo"
    assert MOTCUA not in str(body) and "mot-cua" not in str(body)

    resp = await hub.get(BUSINESS, params={"msdn": "0312345673"}, headers={"X-Road-Client": HOTICH})
    body = await r1_error(resp, "Server.ServerProxy.AccessDenied")
    assert body["message"].endswith(f"no rule grants {HOTICH} any service of VN/GOV/000.00.00.G12/CSDLDKDN"), body
