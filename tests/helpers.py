"""Constants and builders the tests share (fixtures are in conftest.py)."""

from __future__ import annotations

import asyncio
import base64
import os
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, NoReturn, TypeVar
from xml.etree.ElementTree import Element

import defusedxml.ElementTree
import pytest
import yaml
from aiohttp.test_utils import TestClient

import adapters
from adapters.base import Adapter
from ngsp_sim import sim
from ngsp_sim.contracts.examples import dossier_example, lookup_example, payment_init_example
from ngsp_sim.registry import Registry, registry_from_text

ADMIN_TOKEN = "test-admin-token-0123456789"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
MOTCUA = "VN/GOV/000.00.00.H29/MOTCUA"
HOTICH = "VN/GOV/000.00.00.G15/HOTICH"
POPULATION = "/r1/VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan"
BUSINESS = "/r1/VN/GOV/000.00.00.G12/CSDLDKDN/chiTietDoanhNghiep"
SYNC = "/r1/VN/GOV/000.00.00.G22/DVCQG/DongBoHoSoMC"
DOSSIER_LOOKUP = "/r1/VN/GOV/000.00.00.G22/DVCQG/TraCuuHoSo"

MakeHub = Callable[..., Awaitable[TestClient[Any, Any]]]

T = TypeVar("T")


ROOT = Path(__file__).resolve().parent.parent


def lookup_body(**changes: Any) -> dict[str, Any]:
    """A valid 037 citizen lookup for the demo citizen; keyword arguments replace or add fields."""
    return lookup_example(**changes)


def dossier(**changes: Any) -> dict[str, Any]:
    """A valid dossier as a one-stop system syncs it to DVCQG."""
    return dossier_example(**changes)


def registry_from(text: str, extra_adapters: Mapping[str, type[Adapter]] | None = None) -> Registry:
    return registry_from_text(text, "<test>", {**adapters.BUILTIN, **(extra_adapters or {})}, sim.BUILTIN)


DEMO_KEY, DEMO_SECRET = "motcua-hcm", "demo-motcua-hcm-secret"


def provider_topology(
    access_paths: list[str] | None = None,
    access_methods: list[str] | None = None,
    *,
    client: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
    **service: Any,
) -> str:
    """A two-agency country: the business registry (service fields overridable, e.g. an ``endpoint``
    URL, ``timeout`` or ``disabled``) and the Hồ Chí Minh City one-stop system as its client, with the
    demo consumer key and secret (``client`` adds fields to it; ``extra`` to the top level)."""
    rule: dict[str, Any] = {"client": MOTCUA, "service": "VN/GOV/000.00.00.G12/CSDLDKDN/chiTietDoanhNghiep"}
    if access_paths is not None:
        rule["paths"] = access_paths
    if access_methods is not None:
        rule["methods"] = access_methods
    topology = {
        "instance": "VN",
        "agencies": [
            {
                "code": "000.00.00.G12",
                "name": {"vi": "Bộ Tài chính", "en": "Ministry of Finance"},
                "subsystems": [
                    {
                        "code": "CSDLDKDN",
                        "name": {"vi": "CSDL đăng ký doanh nghiệp", "en": "Business registry"},
                        "simulator": "business",
                        "services": [{"code": "chiTietDoanhNghiep", "adapter": "business", **service}],
                    }
                ],
            },
            {
                "code": "000.00.00.H29",
                "name": {"vi": "UBND TP. Hồ Chí Minh", "en": "HCMC People's Committee"},
                "subsystems": [
                    {
                        "code": "MOTCUA",
                        "name": {"vi": "Một cửa", "en": "One-stop"},
                        "consumer_key": DEMO_KEY,
                        "consumer_secret": DEMO_SECRET,
                        **(client or {}),
                    }
                ],
            },
        ],
        "access": [rule],
        **(extra or {}),
    }
    return yaml.safe_dump(topology, allow_unicode=True, sort_keys=False)


async def raw_request(
    hub: TestClient[Any, Any],
    method: str,
    target: str,
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
) -> tuple[int, dict[str, str], bytes]:
    """Send ``target`` byte for byte (HTTP clients normalise ``%2e%2e`` away; attackers do not)."""
    host, port = hub.host, hub.port
    reader, writer = await asyncio.open_connection(host, port)
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    lines.append(f"Content-Length: {len(body)}")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape") + body)  # "\udcff": byte 0xff
    await writer.drain()
    raw = await reader.read()
    writer.close()
    await writer.wait_closed()
    head, _, payload = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parsed = {}
    for line in header_lines:
        key, _, value = line.partition(":")
        parsed[key.strip().lower()] = value.strip()
    return int(status_line.split()[1]), parsed, payload


async def token_for(hub: TestClient[Any, Any], key: str = DEMO_KEY, secret: str = DEMO_SECRET) -> str:
    """An access token from the hub's POST /token, as a connector obtains one."""
    resp = await hub.post("/token", data={"grant_type": "client_credentials"}, headers=basic_auth(key, secret))
    assert resp.status == 200, await resp.text()
    token: str = (await resp.json())["access_token"]
    return token


def basic_auth(key: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()}


def payment_init(reference: str = "TT-0001", secret: str = "demo-payment-secret", **changes: Any) -> dict[str, Any]:
    """A signed INIT for the demo payment partner (its MaXacThuc computed as integrators must)."""
    return payment_init_example(reference, secret, **changes)


def xml_file(path: Path) -> Element:
    """The root element of an XML report the hub or the command line wrote, parsed safely."""
    root = defusedxml.ElementTree.parse(path).getroot()
    assert root is not None, f"{path} has no root element"
    return root


async def eventually(
    action: Callable[[], Awaitable[T]], done: Callable[[T], object] = bool, *, seconds: float = 15.0, every: float = 0.1
) -> T:
    """Repeat ``action`` until ``done(result)`` holds, and return that result; bounded in time.

    For work another process does on its own schedule (a replica's log writer, a hub's delivery worker),
    where a test has nothing to wait on but the outcome. Raises ``AssertionError`` with the last result."""
    deadline = time.monotonic() + seconds
    while True:
        result = await action()
        if done(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {seconds} s: {result!r}")
        await asyncio.sleep(every)


def missing_tool(problem: str) -> NoReturn:
    """A test needs an outside tool that is not here: skip on a newcomer's machine, fail with CI=true
    (``.ci/run`` and ``make test`` install every such tool)."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI needs it: {problem}")
    pytest.skip(problem)


def readme_curls(base: str) -> list[str]:
    """Every curl in the README's sh blocks that calls ``base`` (the demo hub on :8080, or the LGSP on
    :8081); a block's variable assignments (TOKEN=...) run before each of its curls."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        prelude = []
        for command in re.split(r"\n(?=\S)", block.replace("\\\n", " ")):
            command = command.strip()
            if re.match(r"^[A-Z_]+=", command) or command.startswith(".venv/bin/python "):
                prelude.append(command)
            elif command.startswith("curl ") and base in command:
                commands.append("; ".join([*prelude, command]))
    return commands
