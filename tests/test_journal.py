"""The verifications of the ``ngsp_hub`` handle (issue 21): ``assert_called``, ``assert_not_called``,
``assert_no_violations`` and ``calls`` over the message log, each failing with an account of what the
hub did and did not receive. Requests go over real HTTP to an embedded hub, as a connector's do."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from ngsp_sim.testing import EmbeddedHub, HubHandle
from ngsp_sim.testing.journal import departures
from tests.helpers import MOTCUA, POPULATION, SYNC, dossier, lookup_body


@pytest.fixture
def hub() -> Iterator[HubHandle]:
    with EmbeddedHub() as handle:
        yield handle


def send(hub: HubHandle, path: str, body: Any, client: str = MOTCUA) -> int:
    request = urllib.request.Request(  # noqa: S310  the embedded hub's loopback address
        hub.url + path,
        data=orjson.dumps(body),
        method="POST",
        headers={"X-Road-Client": client, "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        exc.read()
        return int(exc.code)


def sync(updating: bool, **changes: Any) -> dict[str, Any]:
    return {"isUpdating": updating, "data": [dossier(**changes)]}


def test_calls_are_counted_and_filtered_by_client_and_body(hub: HubHandle) -> None:
    assert send(hub, SYNC, sync(False)) == 200
    assert send(hub, SYNC, sync(True)) == 200
    assert send(hub, POPULATION, lookup_body()) == 200

    assert len(hub.assert_called("DongBoHoSoMC", times=2, client=MOTCUA)) == 2
    hub.assert_called("VN/GOV/000.00.00.G22/DVCQG/DongBoHoSoMC", times=1, body_matches={"isUpdating": True})
    hub.assert_called("DongBoHoSoMC", times=1, body_matches=r'"isUpdating":false')
    assert [c.request["isUpdating"] for c in hub.calls(body_matches=lambda body: "data" in body)] == [False, True]
    assert len(hub.calls()) == 3
    hub.assert_not_called("TraCuuHoSo")
    hub.assert_no_violations()


def test_a_wrong_count_or_client_says_why_each_exchange_does_not_match(hub: HubHandle) -> None:
    send(hub, SYNC, sync(False))
    send(hub, POPULATION, lookup_body())
    with pytest.raises(AssertionError) as failed:
        hub.assert_called("DongBoHoSoMC", times=2, client="VN/GOV/000.00.00.H29/MOTCUA")
    assert str(failed.value).splitlines() == [
        f"expected a call of DongBoHoSoMC by {MOTCUA} 2 time(s), but the hub received 1 such call(s).",
        "The hub received 2 exchange(s):",
        f"  #1 {MOTCUA} -> VN/GOV/000.00.00.G22/DVCQG/DongBoHoSoMC (200): matches",
        f"  #2 {MOTCUA} -> {POPULATION.removeprefix('/r1/')} (200): another service",
    ]
    with pytest.raises(AssertionError, match=r"#1 .* \(200\): another client \(expected VN/GOV/000.00.00.G15/HOTICH\)"):
        hub.assert_called("DongBoHoSoMC", client="VN/GOV/000.00.00.G15/HOTICH")


def test_a_misspelled_service_is_named_in_the_account(hub: HubHandle) -> None:
    send(hub, SYNC, sync(False))
    with pytest.raises(AssertionError, match=r"no call of DongBoHoSoMc \(did you mean DongBoHoSoMC\?\)"):
        hub.assert_called("DongBoHoSoMc")


def test_assert_not_called_lists_the_calls_it_found(hub: HubHandle) -> None:
    send(hub, SYNC, sync(True))
    with pytest.raises(AssertionError) as failed:
        hub.assert_not_called("DongBoHoSoMC", body_matches={"isUpdating": True})
    assert str(failed.value).splitlines()[0] == (
        'expected no call of DongBoHoSoMC with a body matching {"isUpdating":true}, but the hub received 1 such call(s).'
    )
    assert str(failed.value).splitlines()[-1].endswith("DongBoHoSoMC (200): matches")


def test_assert_no_violations_lists_every_violation(hub: HubHandle) -> None:
    assert send(hub, SYNC, sync(False, NgayHenTra="2025-11-28")) == 400
    with pytest.raises(AssertionError) as failed:
        hub.assert_no_violations(service="DongBoHoSoMC")
    lines = str(failed.value).splitlines()
    assert lines[0] == "expected no schema violations in calls of DongBoHoSoMC; 1 exchange(s) had some:"
    assert lines[2].strip().startswith("body /data/0/NgayHenTra: ")
    hub.assert_no_violations(service="TraCuuThongTinCongDan")


def test_departures_read_the_expected_body_as_a_subset() -> None:
    actual = {"a": {"b": [1, {"c": "x"}]}, "d/e": 1}
    assert departures({"a": {"b": [1, {"c": "x"}]}}, actual) == []
    assert departures({"a": {"b": [1, {"c": "y"}]}, "d/e": 2, "f": 0}, actual) == [
        '/a/b/1/c: expected "y", got "x"',
        "/d~1e: expected 2, got 1",
        "/f: missing",
    ]
    assert departures({"a": 1}, [1]) == ["/: expected an object, got [1]"]
    assert departures({"a": {"b": [1]}}, actual) == ['/a/b: expected [1], got [1,{"c":"x"}]']
