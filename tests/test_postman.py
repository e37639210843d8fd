"""``ngsp-sim export postman``: the collection is well formed (Postman v2.1), every request carries
tests, and newman runs it twice on one hub over a real socket with every assertion passing."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from ngsp_sim.contracts.postman import SCHEMA_URL
from tests.helpers import MakeHub, missing_tool
from tests.processes import run_cli


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("postman") / "ngsp.postman_collection.json"
    result = run_cli("export", "postman", str(path))
    assert result.returncode == 0, result.stderr
    assert "wrote 42 requests in 14 folders" in result.stdout
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _requests(collection: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for folder in collection["item"] for item in folder["item"]]


def test_the_collection_is_postman_v21_with_the_demo_credentials(collection: dict[str, Any]) -> None:
    assert collection["info"]["schema"] == SCHEMA_URL
    variables = {v["key"]: v["value"] for v in collection["variable"]}
    assert variables["consumerKey"] == "motcua-hcm" and variables["consumerSecret"] == "demo-motcua-hcm-secret"
    for item in _requests(collection):
        request = item["request"]
        assert request["method"] in {"GET", "POST", "PUT", "PATCH", "DELETE"}
        assert request["url"]["raw"].startswith("{{baseUrl}}/")
        assert request["url"]["host"] == ["{{baseUrl}}"]
        if "body" in request:
            assert request["body"]["mode"] in {"raw", "urlencoded"}


NEWMAN = Path(__file__).resolve().parent.parent / ".newman" / "node_modules" / ".bin" / "newman"


async def _newman(collection: Path, base: str, report: Path) -> dict[str, Any]:
    """One newman run of the collection against ``base``; its JSON report."""
    process = await asyncio.create_subprocess_exec(
        str(NEWMAN),
        "run",
        str(collection),
        "--env-var",
        f"baseUrl={base}",
        "--reporters",
        "json",
        "--reporter-json-export",
        str(report),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 120)
    return _read_report(report, output.decode())


def _read_report(report: Path, output: str) -> dict[str, Any]:
    assert report.exists(), output
    data: dict[str, Any] = json.loads(report.read_text())
    return data


def _failures(report: dict[str, Any]) -> list[str]:
    return [
        f"{f['source']['name']}: {f['error'].get('test') or f['error']['name']}: {f['error']['message']}"
        for f in report["run"]["failures"]
    ]


async def test_newman_runs_the_collection_twice_on_one_hub_and_every_assertion_passes(
    make_hub: MakeHub, tmp_path: Path
) -> None:
    """Each request's tests (status 200, X-Road-Id echoed, the native success flag) pass on a fresh hub and
    again on the same hub: references the providers refuse to see twice are new on every run."""
    if not NEWMAN.exists():
        missing_tool("newman is not installed: `make newman` (npm) installs it into .newman/")
    path = tmp_path / "ngsp.postman_collection.json"
    result = run_cli("export", "postman", str(path))
    assert result.returncode == 0, result.stderr
    hub = await make_hub()
    base = str(hub.make_url("")).rstrip("/")
    for run in (1, 2):
        report = await _newman(path, base, tmp_path / f"run{run}.json")
        stats = report["run"]["stats"]
        assert not _failures(report), (run, _failures(report))
        assert stats["requests"] == {"total": 42, "pending": 0, "failed": 0}
        assert stats["assertions"]["failed"] == 0 and stats["assertions"]["total"] >= 3 * 41 + 2
        for execution in report["run"]["executions"]:
            assert len(execution.get("assertions", [])) >= 2, execution["item"]["name"]


def test_every_request_carries_tests_and_an_x_road_id(collection: dict[str, Any]) -> None:
    for item in _requests(collection):
        scripts = {e["listen"]: "\n".join(e["script"]["exec"]) for e in item["event"]}
        assert "pm.test(" in scripts["test"], item["name"]
        if item["request"]["url"]["raw"] != "{{baseUrl}}/token":
            assert {"key": "X-Road-Id", "value": "{{xRoadId}}"} in item["request"]["header"]
            assert "X-Road-Id is echoed" in scripts["test"]
