"""Libraries integrators use, unchanged, against a real hub socket (issue 18: they worked, keep it so):
OAuth2 client credentials with Authlib and with requests-oauthlib (``POST /token``, then a gateway
call with the token), and the admin live feed (``GET /api/v1/events``) read with httpx-sse and with
sseclient-py, receiving the ``message`` event of a call made while listening. The feed listens before
its headers go, so a call made once the headers are in is always seen."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import httpx
import orjson
import pytest
import requests
import sseclient
from authlib.integrations.requests_client import OAuth2Session as AuthlibSession
from httpx_sse import connect_sse
from oauthlib.oauth2 import BackendApplicationClient
from requests_oauthlib import OAuth2Session

from ngsp_sim.config import HubConfig, SecurityConfig
from ngsp_sim.testing.embedded import EmbeddedHub, HubHandle
from tests.helpers import DEMO_KEY, MOTCUA, POPULATION, lookup_body

TOKEN = "client-libraries-admin-token-0123"
GATEWAY = "/apiCSDLQGDC/1.0/TraCuuThongTinCongDan"
TIMEOUT = 30  # seconds a blocked read may wait before the test fails instead of hanging


@pytest.fixture(scope="module")
def hub() -> Iterator[HubHandle]:
    config = HubConfig(port=0, population=50, admin_token=TOKEN, security=SecurityConfig(kdf_cost=2**10))
    with EmbeddedHub(config) as handle:
        yield handle


def _looked_up(answer: requests.Response) -> None:
    assert answer.status_code == 200, answer.text
    (citizen,) = answer.json()["CongdanCollection"]["CongDan"]
    assert citizen["SoDinhDanh"] == "079090001234"


def test_authlib_client_credentials_then_a_gateway_call(hub: HubHandle) -> None:
    with AuthlibSession(DEMO_KEY, hub.credentials[DEMO_KEY], token_endpoint_auth_method="client_secret_basic") as s:
        token = s.fetch_token(f"{hub.url}/token", grant_type="client_credentials", timeout=TIMEOUT)
        assert token["token_type"] == "Bearer"
        _looked_up(s.post(f"{hub.url}{GATEWAY}", json=lookup_body(), timeout=TIMEOUT))


def test_requests_oauthlib_backend_application_client_then_a_gateway_call(
    hub: HubHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the hub on loopback speaks plain HTTP
    with OAuth2Session(client=BackendApplicationClient(client_id=DEMO_KEY)) as s:
        token = s.fetch_token(
            f"{hub.url}/token", client_id=DEMO_KEY, client_secret=hub.credentials[DEMO_KEY], timeout=TIMEOUT
        )
        assert token["token_type"] == "Bearer"
        _looked_up(s.post(f"{hub.url}{GATEWAY}", json=lookup_body(), timeout=TIMEOUT))


def _call(hub: HubHandle) -> str:
    """A citizen lookup; its X-Road-Id."""
    answer = requests.post(
        f"{hub.url}{POPULATION}", json=lookup_body(), headers={"X-Road-Client": MOTCUA}, timeout=TIMEOUT
    )
    assert answer.status_code == 200, answer.text
    return answer.headers["X-Road-Id"]


def _message_of(events: Iterable[tuple[str, str]], xroad_id: str) -> dict[str, Any]:
    """The ``message`` event of the exchange ``xroad_id`` (other events may come first)."""
    for kind, data in events:
        found: dict[str, Any] = orjson.loads(data)
        if kind == "message" and found["messageId"] == xroad_id:
            return found
    raise AssertionError("the feed ended without the call's message event")


def test_httpx_sse_receives_the_message_event_of_a_call(hub: HubHandle) -> None:
    admin = {"Authorization": f"Bearer {TOKEN}"}
    with (
        httpx.Client(timeout=TIMEOUT) as client,
        connect_sse(client, "GET", f"{hub.url}/api/v1/events", headers=admin) as source,
    ):
        assert source.response.headers["content-type"].startswith("text/event-stream")
        xroad_id = _call(hub)
        event = _message_of(((e.event, e.data) for e in source.iter_sse()), xroad_id)
    assert event["service"].endswith("TraCuuThongTinCongDan")


def test_sseclient_py_receives_the_message_event_of_a_call(hub: HubHandle) -> None:
    admin = {"Authorization": f"Bearer {TOKEN}", "Accept": "text/event-stream"}
    with requests.get(f"{hub.url}/api/v1/events", headers=admin, stream=True, timeout=TIMEOUT) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        xroad_id = _call(hub)
        feed = sseclient.SSEClient(response.iter_content(chunk_size=None))
        event = _message_of(((e.event, e.data) for e in feed.events()), xroad_id)
        feed.close()
    assert event["service"].endswith("TraCuuThongTinCongDan")
