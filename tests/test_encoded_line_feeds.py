"""A percent-encoded line feed (``%0A``) anywhere in a path gets the hub's own error body in the style
of the path (issue 18, section 1): the X-Road error on ``/r1``, the gateway's fault elsewhere, the
admin API's error under ``/api/v1``; never aiohttp's plain-text 404, and an admin id is never read
leniently (``1%0A`` is not message 1). Sent byte for byte over a real socket."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from aiohttp.test_utils import TestClient

from tests.helpers import ADMIN, MOTCUA, raw_request

JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    "path",
    [
        "/r1/VN/GOV/000.00.00.G01/CSDLQGDC/TraCuu%0AThongTinCongDan",
        "/r1/VN%0A/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan",
        "/r1/%0A",
        "/r1",
    ],
)
async def test_on_r1_the_x_road_error(hub: TestClient[Any, Any], path: str) -> None:
    status, headers, body = await raw_request(hub, "POST", path, {"X-Road-Client": MOTCUA, **JSON}, b"{}")
    assert status == 400 and headers["x-road-error"] == "Client.InvalidServiceIdentifier", body
    assert orjson.loads(body)["type"] == "Client.InvalidServiceIdentifier"


@pytest.mark.parametrize(
    "path",
    ["/%0A", "/healthz%0A", "/apiCSDLQGDC%0A/1.0/TraCuuThongTinCongDan", "/apiCSDLQGDC/1.0/TraCuu%0A", "/a/%0A"],
)
async def test_elsewhere_the_gateway_fault(hub: TestClient[Any, Any], path: str) -> None:
    status, headers, body = await raw_request(hub, "GET", path)
    assert status == 404 and headers["content-type"].startswith("application/json"), body
    assert orjson.loads(body)["fault"]["code"] == 900906


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/v1/%0A", 404),
        ("GET", "/api/v1/messages%0A", 404),
        ("GET", "/api/v1/messages/1%0A", 400),
        ("GET", "/api/v1/messages/%0A1", 400),
        ("GET", "/api/v1/scenario-runs/1%0A", 404),
        ("DELETE", "/api/v1/faults/a%0Ab", 404),
        ("DELETE", "/api/v1/subscriptions/a%0Ab", 404),
        ("GET", "/api/v1/messages?limit=5%0A", 400),
        ("GET", "/api/v1/health?period=%2B60", 400),
        ("GET", "/api/v1/deliveries?limit=1%0A", 400),
    ],
)
async def test_under_api_v1_the_admin_error(hub: TestClient[Any, Any], method: str, path: str, status: int) -> None:
    got, headers, body = await raw_request(hub, method, path, ADMIN)
    assert got == status and headers["content-type"].startswith("application/json"), body
    assert set(orjson.loads(body)) == {"error", "message", "problems"}
