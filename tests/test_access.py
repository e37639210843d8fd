"""Access rights: per client and service, per method and path, judged on the normalised path."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from ngsp_sim.errors import InvalidRequest, InvalidServiceIdentifier
from ngsp_sim.hub.paths import normalise_rest, parse_r1
from ngsp_sim.registry.access import path_matches
from tests.helpers import (
    BUSINESS,
    DOSSIER_LOOKUP,
    HOTICH,
    MOTCUA,
    POPULATION,
    SYNC,
    MakeHub,
    dossier,
    lookup_body,
    provider_topology,
    raw_request,
)


async def test_one_stop_system_may_call_all_three_services(hub: TestClient[Any, Any]) -> None:
    h = {"X-Road-Client": MOTCUA}
    assert (await hub.post(POPULATION, json=lookup_body(), headers=h)).status == 200
    assert (await hub.get(f"{BUSINESS}?msdn=0312345673", headers=h)).status == 200
    assert (await hub.post(SYNC, json={"isUpdating": False, "data": [dossier()]}, headers=h)).status == 200


async def test_civil_status_may_look_up_citizens_but_not_sync_dossiers(hub: TestClient[Any, Any]) -> None:
    h = {"X-Road-Client": HOTICH}
    assert (await hub.post(POPULATION, json=lookup_body(), headers=h)).status == 200
    resp = await hub.post(SYNC, json={"isUpdating": False, "data": [dossier()]}, headers=h)
    assert resp.headers["X-Road-Error"] == "Server.ServerProxy.AccessDenied"
    assert resp.status == 500


async def test_access_is_checked_before_the_body_is_validated(hub: TestClient[Any, Any]) -> None:
    """A denied client learns nothing about the schema: AccessDenied wins over SchemaViolation."""
    resp = await hub.post(SYNC, json={"nonsense": True}, headers={"X-Road-Client": HOTICH})
    assert resp.headers["X-Road-Error"] == "Server.ServerProxy.AccessDenied"


async def test_business_registry_denied_to_civil_status(hub: TestClient[Any, Any]) -> None:
    resp = await hub.get(f"{BUSINESS}?msdn=0312345673", headers={"X-Road-Client": HOTICH})
    assert resp.headers["X-Road-Error"] == "Server.ServerProxy.AccessDenied"
    resp = await hub.post(
        DOSSIER_LOOKUP, json={"MaHoSo": "000.00.00.H29-251121-0001"}, headers={"X-Road-Client": HOTICH}
    )
    assert resp.status == 200


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ([], "/"),
        (["public", "a"], "/public/a"),
        (["public", "..", "private"], "/private"),
        (["public", ".", "", "a"], "/public/a"),
        (["a%20b"], "/a b"),
        (["%C4%91%E1%BB%8Bnh;v=1"], "/định;v=1"),
    ],
    ids=["empty", "plain", "dotdot", "dot-and-empty", "space", "utf8-and-parameter"],
)
def test_rest_paths_are_normalised_before_any_check(raw: list[str], expected: str) -> None:
    assert normalise_rest(raw) == expected


@pytest.mark.parametrize("raw", [[".."], ["a", "..", "..", "b"], ["a%00b"], ["a%0Ab"], ["%ff"]])
def test_paths_that_escape_the_service_or_hold_junk_are_refused(raw: list[str]) -> None:
    with pytest.raises(InvalidRequest):
        normalise_rest(raw)


@pytest.mark.parametrize(
    "segment",
    ["%2e%2e", "%2E", ".%2e", "%252e%252e", "%2E%2E%2Fprivate", "a%2Fb", "a%3Fb", "a%23b", "a%5Cb", "a%25b", "..;x"],
)
def test_segments_that_would_be_syntax_to_the_provider_are_refused_by_name(segment: str) -> None:
    """Encoded delimiters and dot segments are data to the access check but could be syntax to the
    provider (issue 15, finding 1): refused, naming the segment as sent."""
    with pytest.raises(InvalidRequest, match="the path segment " + re.escape(repr(segment))):
        normalise_rest(["public", segment, "private"])


def test_identifier_parts_are_decoded_separately() -> None:
    target = parse_r1("/r1/VN/GOV/000%2E00%2E00%2EG01/CSDLQGDC/TraCuuThongTinCongDan/a%20b/c")
    assert target.subsystem.member_code == "000.00.00.G01"
    assert target.rest == "/a b/c"


def test_an_encoded_slash_cannot_split_an_identifier_part() -> None:
    with pytest.raises(InvalidServiceIdentifier, match=r"subsystem code .* holds"):
        parse_r1("/r1/VN/GOV/000.00.00.G01/CSDLQGDC%2FTraCuuThongTinCongDan/x")


@pytest.mark.parametrize(
    ("pattern", "path", "ok"),
    [
        ("/public/*", "/public/a", True),
        ("/public/*", "/public/a/b", False),
        ("/public/**", "/public/a/b", True),
        ("/public/**", "/public", True),
        ("/**", "/", True),
        ("/", "/", True),
        ("/", "/x", False),
        ("/a/*/c", "/a/b/c", True),
        ("/files/*.pdf", "/files/x.pdf", True),
        ("/files/*.pdf", "/files/x.xml", False),
    ],
)
def test_path_patterns(pattern: str, path: str, ok: bool) -> None:
    assert path_matches(pattern, path) is ok


async def test_encoded_dotdot_cannot_escape_a_path_rule(make_hub: MakeHub) -> None:
    """Allowed only below /public: /public/../private is /private and is denied; its encoded forms
    are refused outright (tests/test_edge_attacks.py attacks a real HTTP provider with them)."""
    hub = await make_hub(provider_topology(access_paths=["/public/**"]))
    h = {"X-Road-Client": MOTCUA}
    ok = await hub.get(f"{BUSINESS}/public?msdn=0312345673", headers=h)
    assert ok.headers.get("X-Road-Error") != "Server.ServerProxy.AccessDenied"
    status, headers, _ = await raw_request(hub, "GET", f"{BUSINESS}/public/../private?msdn=0312345673", h)
    assert (status, headers["x-road-error"]) == (500, "Server.ServerProxy.AccessDenied")
    for sneaky in ("/public/%2e%2e/private", "/public/%2E%2E%2Fprivate", "/public/..%2Fprivate"):
        status, headers, _ = await raw_request(hub, "GET", f"{BUSINESS}{sneaky}?msdn=0312345673", h)
        assert (status, headers["x-road-error"]) == (400, "Client.InvalidRequest"), sneaky


async def test_climbing_above_the_service_is_an_invalid_request(hub: TestClient[Any, Any]) -> None:
    target = f"{BUSINESS}/%2e%2e/%2e%2e/CSDLQGDC?msdn=0312345673"
    status, headers, _ = await raw_request(hub, "GET", target, {"X-Road-Client": MOTCUA})
    assert (status, headers["x-road-error"]) == (400, "Client.InvalidRequest")


async def test_method_restricted_rule(make_hub: MakeHub) -> None:
    hub = await make_hub(provider_topology(access_methods=["POST"], methods=["GET"]))
    resp = await hub.get(f"{BUSINESS}?msdn=0312345673", headers={"X-Road-Client": MOTCUA})
    assert resp.headers["X-Road-Error"] == "Server.ServerProxy.AccessDenied"
