"""The LGSP tier as real processes on loopback: an NGSP hub (`ngsp-sim up`, the demo country) and Hồ Chí
Minh City's LGSP in front of it (`ngsp-sim up --topology lgsp-hcm --upstream URL`), each on an ephemeral
port with its own store. A national lookup crosses both tiers with one X-Road-Id and one trace, logged by
both; an error the NGSP tier decides reaches the caller intact and names the tier; a local service is
answered by the LGSP alone; the connection models refuse what Circular 13 does not allow."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from tests.helpers import (
    ADMIN,
    ADMIN_TOKEN,
    DOSSIER_LOOKUP,
    MOTCUA,
    POPULATION,
    eventually,
    lookup_body,
    missing_tool,
    readme_curls,
)
from tests.processes import Running, run_cli_async, start_hub, stop

LGSP = "VN/GOV/000.00.00.H29/LGSP"
QLVB = "VN/GOV/000.00.00.H29/QLVB"
YTE = "VN/GOV/000.00.00.H29/YTE"
LOCAL_STATUS = "/r1/VN/GOV/000.00.00.H29/MOTCUA/TraCuuTrangThaiHoSo"
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"

pytestmark = pytest.mark.asyncio(loop_scope="module")  # one pair of hub processes for the module


@dataclass
class Tiers:
    ngsp: Running
    lgsp: Running
    session: aiohttp.ClientSession

    async def call(self, path: str, client: str, body: dict[str, Any], **headers: str) -> aiohttp.ClientResponse:
        response = await self.session.post(
            f"{self.lgsp.url}{path}", json=body, headers={"X-Road-Client": client, **headers}
        )
        await response.read()
        return response

    async def messages(self, hub: Running, message_id: str) -> list[dict[str, Any]]:
        """The hub's message-log records of ``message_id``, once its log writer has written them."""
        return await eventually(lambda: self._messages(hub, message_id))

    async def _messages(self, hub: Running, message_id: str) -> list[dict[str, Any]]:
        async with self.session.get(f"{hub.url}/api/v1/messages?message_id={message_id}", headers=ADMIN) as resp:
            assert resp.status == 200
            items: list[dict[str, Any]] = (await resp.json())["items"]
            return items


async def _hub(data: Path, *args: str) -> Running:
    return await start_hub(
        data,
        *args,
        env={"NGSP_SIM_ADMIN_TOKEN": ADMIN_TOKEN},
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def tiers(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Tiers]:
    data = tmp_path_factory.mktemp("tiers")
    ngsp = await _hub(data / "ngsp")
    lgsp = None
    try:
        lgsp = await _hub(data / "lgsp", "--topology", "lgsp-hcm", "--upstream", ngsp.url)
        async with aiohttp.ClientSession() as session:
            yield Tiers(ngsp, lgsp, session)
    finally:
        if lgsp is not None:
            assert await stop(lgsp) == 0
        assert await stop(ngsp) == 0


async def test_a_national_lookup_through_the_lgsp_keeps_one_id_and_one_trace_and_is_logged_by_both(
    tiers: Tiers,
) -> None:
    """The LGSP forwards the 037 lookup to NGSP as its own client; the answer is the population database's;
    the same X-Road-Id and trace id are in both hubs' message logs (client MOTCUA at the LGSP, the LGSP at NGSP)."""
    answer = await tiers.call(
        POPULATION,
        MOTCUA,
        lookup_body(),
        **{"X-Road-Id": "lgsp-037-1", "traceparent": f"00-{TRACE}-00f067aa0ba902b7-01"},
    )
    assert answer.status == 200, await answer.text()
    data = await answer.json()
    (citizen,) = data["CongdanCollection"]["CongDan"]
    assert citizen["HoVaTen"] == {"Ho": "Nguyễn", "ChuDem": "Văn", "Ten": "An"}  # the demo citizen, from NGSP
    assert answer.headers["X-Road-Id"] == "lgsp-037-1"
    [local] = await tiers.messages(tiers.lgsp, "lgsp-037-1")
    [national] = await tiers.messages(tiers.ngsp, "lgsp-037-1")
    assert local["client"] == MOTCUA and national["client"] == LGSP
    assert local["service"] == national["service"] == POPULATION.removeprefix("/r1/")
    assert local["record"]["traceId"] == national["record"]["traceId"] == TRACE
    assert local["record"]["succeeded"] and national["record"]["succeeded"]


async def test_an_id_the_lgsp_generates_is_the_one_ngsp_logs(tiers: Tiers) -> None:
    """Without X-Road-Id and traceparent from the caller, the LGSP's own id and trace go upstream."""
    answer = await tiers.call(POPULATION, MOTCUA, lookup_body())
    assert answer.status == 200
    message_id = answer.headers["X-Road-Id"]
    [local] = await tiers.messages(tiers.lgsp, message_id)
    [national] = await tiers.messages(tiers.ngsp, message_id)
    assert local["record"]["traceId"] == national["record"]["traceId"]


async def test_an_error_the_ngsp_tier_decides_reaches_the_caller_intact_with_the_tier_named(tiers: Tiers) -> None:
    """The LGSP allows its one-stop system DVCQG's TraCuuHoSo, NGSP does not allow the LGSP: the caller
    gets NGSP's AccessDenied as NGSP answered it (status, type, message), X-NGSP-Tier: ngsp, and the
    refusal is in both logs."""
    direct = await tiers.session.post(
        f"{tiers.ngsp.url}{DOSSIER_LOOKUP}", json={"MaHoSo": "x"}, headers={"X-Road-Client": LGSP}
    )
    expected = await direct.json()
    answer = await tiers.call(DOSSIER_LOOKUP, MOTCUA, {"MaHoSo": "x"}, **{"X-Road-Id": "lgsp-refused-1"})
    assert answer.status == direct.status == 500
    body = await answer.json()
    assert body["type"] == expected["type"] == "Server.ServerProxy.AccessDenied"
    assert body["message"] == expected["message"] and LGSP in body["message"]
    assert answer.headers["X-Road-Error"] == "Server.ServerProxy.AccessDenied"
    assert answer.headers["X-NGSP-Tier"] == "ngsp"
    [local] = await tiers.messages(tiers.lgsp, "lgsp-refused-1")
    [national] = await tiers.messages(tiers.ngsp, "lgsp-refused-1")
    assert local["record"]["faultCode"] == national["record"]["faultCode"] == "Server.ServerProxy.AccessDenied"


async def test_a_local_service_is_answered_by_the_lgsp_without_touching_ngsp(tiers: Tiers) -> None:
    """The city's document system reads a dossier's state from the city's one-stop system: the LGSP
    answers; NGSP's log has no record of the exchange."""
    answer = await tiers.call(LOCAL_STATUS, QLVB, {"MaHoSo": "000.00.00.H29-251121-0001"}, **{"X-Road-Id": "local-1"})
    assert answer.status == 200, await answer.text()
    assert (await answer.json())["KetQua"] == 1
    assert len(await tiers.messages(tiers.lgsp, "local-1")) == 1  # logged after the exchange ended
    assert await tiers._messages(tiers.ngsp, "local-1") == []


@pytest.mark.parametrize(
    ("client", "says"),
    [
        pytest.param(QLVB, "through the LGSP only", id="lgsp-only-refused-a-national-service"),
        pytest.param(YTE, "connects to NGSP only", id="ngsp-only-refused-at-the-lgsp"),
    ],
)
async def test_the_connection_model_refuses_at_the_lgsp_and_names_the_tier(
    tiers: Tiers, client: str, says: str
) -> None:
    """Circular 13's models: a local-exchange-only system may not reach a national service, a system
    connected to NGSP only may not use the LGSP; both refused by the LGSP (X-NGSP-Tier: lgsp), not NGSP."""
    answer = await tiers.call(POPULATION, client, lookup_body(), **{"X-Road-Id": f"model-{client[-4:]}"})
    assert answer.status == 500
    body = await answer.json()
    assert body["type"] == "Server.ServerProxy.AccessDenied" and says in body["message"]
    assert answer.headers["X-NGSP-Tier"] == "lgsp"
    assert len(await tiers.messages(tiers.lgsp, f"model-{client[-4:]}")) == 1
    assert await tiers._messages(tiers.ngsp, f"model-{client[-4:]}") == []


async def test_the_readmes_lgsp_curl_works_as_printed(tiers: Tiers) -> None:
    """The README's curl to the LGSP (on :8081 there) answers the demo citizen through both tiers."""
    if shutil.which("curl") is None:
        missing_tool("curl is not installed")
    [command] = readme_curls("http://127.0.0.1:8081")
    proc = await asyncio.create_subprocess_shell(
        command.replace("http://127.0.0.1:8081", tiers.lgsp.url), stdout=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, command
    (citizen,) = json.loads(out)["CongdanCollection"]["CongDan"]
    assert citizen["SoDinhDanh"] == "079090001234"


async def test_the_lgsp_says_where_it_forwards_and_as_whom(tiers: Tiers) -> None:
    """Its start-up banner names the NGSP hub and the LGSP's identity there."""
    line = f"tier: LGSP in front of the NGSP hub {tiers.ngsp.url}, calling it as {LGSP}"

    async def printed() -> bool:
        return line in tiers.lgsp.stdout.decode()

    await eventually(printed)


async def test_an_lgsp_topology_needs_the_ngsp_hubs_url(tmp_path: Path) -> None:
    """`--topology lgsp-hcm` without `--upstream` (and no url in the file) is refused before anything starts."""
    code, _, err = await run_cli_async("up", "--topology", "lgsp-hcm", "--port", "0", "--data-dir", str(tmp_path))
    assert code != 0 and "--upstream" in err
    assert not tmp_path.joinpath("ngsp-sim.db").exists()
