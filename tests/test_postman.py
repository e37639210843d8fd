"""``ngsp-sim export postman``: the collection is well formed (Postman v2.1) and, sent in order to a
hub over a real socket, every request is answered by its provider, never refused by the hub."""

from __future__ import annotations

import json
import re
from typing import Any

import aiohttp
import pytest

from ngsp_sim.contracts.postman import SCHEMA_URL
from tests.helpers import MakeHub, basic_auth
from tests.processes import run_cli

_SET = re.compile(r"pm\.collectionVariables\.set\('(\w+)', (?:pm\.response\.json\(\)|answer)\.(\w+)\)")


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


def _fill(text: str, variables: dict[str, str]) -> str:
    return re.sub(r"\{\{(\w+)\}\}", lambda m: variables[m.group(1)], text)


async def _send(session: aiohttp.ClientSession, base: str, item: dict[str, Any], variables: dict[str, str]) -> Any:
    """What Postman (or newman) does with one item: substitute variables, send, run the test script's
    variable captures."""
    request = item["request"]
    variables["baseUrl"] = base
    headers = {h["key"]: _fill(h["value"], variables) for h in request["header"]}
    if request.get("auth", {}).get("type") == "basic":
        basic = {p["key"]: _fill(p["value"], variables) for p in request["auth"]["basic"]}
        headers.update(basic_auth(basic["username"], basic["password"]))
    body = request.get("body")
    data: Any = None
    if body is not None:
        data = {p["key"]: p["value"] for p in body["urlencoded"]} if body["mode"] == "urlencoded" else body["raw"]
        if isinstance(data, str):
            data = data.encode()
    async with session.request(
        request["method"], _fill(request["url"]["raw"], variables), headers=headers, data=data
    ) as response:
        text = await response.text()
        for event in item.get("event", []):
            for name, field in _SET.findall("\n".join(event["script"]["exec"])):
                if response.status == 200:
                    variables[name] = str(json.loads(text)[field])
        return response.status, response.headers.get("X-Road-Error"), text


async def test_every_request_of_the_collection_is_answered_by_its_provider(
    collection: dict[str, Any], make_hub: MakeHub
) -> None:
    hub = await make_hub()
    base = str(hub.make_url("")).rstrip("/")
    variables = {v["key"]: v["value"] for v in collection["variable"]}
    answers = {}
    async with aiohttp.ClientSession() as session:
        for folder in collection["item"]:
            for item in folder["item"]:
                answers[f"{folder['name']} {item['name']}"] = await _send(session, base, item, variables)
    refused = {name: a for name, a in answers.items() if a[1] is not None or a[0] >= 300}
    assert not refused, refused
    assert variables["access_token"] and variables["docId"]
    assert len(answers) == 42
