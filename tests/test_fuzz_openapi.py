"""schemathesis against the hub's own OpenAPI documents (the admin API, and a service as the hub
publishes it under /r1), over real HTTP: no 5xx, and every answer is one the document describes (status,
content type, body schema). Bounded: a few examples per operation, no shrinking, no database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import positive_data_acceptance, unsupported_method

import adapters
from ngsp_sim import sim
from ngsp_sim.admin.api import admin_openapi
from ngsp_sim.config import HubConfig, SecurityConfig
from ngsp_sim.contracts.openapi import service_openapi
from ngsp_sim.identifiers import ServiceId
from ngsp_sim.registry import load_registry
from ngsp_sim.testing.embedded import EmbeddedHub, HubHandle

TOKEN = "fuzz-admin-token-0123456789"
BOUNDED = settings(
    max_examples=8,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)

admin = schemathesis.openapi.from_dict(admin_openapi()).exclude(path="/api/v1/events")  # a stream: never ends


@pytest.fixture(scope="module")
def fuzzed_hub() -> Iterator[HubHandle]:
    config = HubConfig(port=0, population=50, admin_token=TOKEN, security=SecurityConfig(kdf_cost=2**10))
    with EmbeddedHub(config) as hub:
        yield hub


@admin.parametrize()
@BOUNDED
def test_the_admin_api_answers_as_documented(case: schemathesis.Case, fuzzed_hub: HubHandle):
    case.call_and_validate(
        base_url=fuzzed_hub.url,
        headers={"Authorization": f"Bearer {TOKEN}"},
        excluded_checks=[positive_data_acceptance],
    )


def _service_schema(service: str) -> schemathesis.BaseSchema:

    registry = load_registry(None, adapters.BUILTIN, sim.BUILTIN)
    entry = registry.services[ServiceId.parse(service)]
    return schemathesis.openapi.from_dict(
        service_openapi(entry, adapters.BUILTIN[entry.adapter].operations[entry.operation])
    )


lookup = _service_schema("VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan")
business = _service_schema("VN/GOV/000.00.00.G12/CSDLDKDN/chiTietDoanhNghiep")


def _call_service(case: schemathesis.Case, base_url: str) -> None:
    """An undeclared method gets X-Road's own answer, Server.ServerProxy.ServiceType (500, as the real
    security server answers, declared as 5XX), or a client error found first. Everything else must be
    as documented; a 5xx only as one of X-Road's platform errors (an unknown client is
    Server.ServerProxy.UnknownMember, as on the real platform), never an unhandled one."""
    if case.method.lower() not in case.operation.schema.raw_schema["paths"][case.path]:
        response = case.call(base_url=base_url)
        error = response.headers.get("x-road-error", [""])[0]  # schemathesis: lower-case names, lists
        assert (response.status_code, error) == (500, "Server.ServerProxy.ServiceType") or (
            400 <= response.status_code < 500 and error.startswith("Client.")  # refused before the method check
        ), (response.status_code, dict(response.headers), case.as_curl_command())
        return
    case.call_and_validate(
        base_url=base_url,
        excluded_checks=[unsupported_method, not_a_server_error],
        additional_checks=[platform_errors_only],
    )


def platform_errors_only(ctx: Any, response: schemathesis.Response, case: schemathesis.Case) -> bool:
    """A 5xx must be one of X-Road's documented platform errors (Server.*: an unknown client member,
    a provider failure...), never an unhandled error of the hub."""
    if response.status_code >= 500:
        error = response.headers.get("x-road-error", [""])[0]
        assert error.startswith("Server.") and error != "Server.ServerProxy.InternalError", (
            f"{response.status_code} with X-Road-Error {error!r}: {response.text[:300]}"
        )
    return True


@lookup.parametrize()
@BOUNDED
def test_a_published_service_answers_as_documented(case: schemathesis.Case, fuzzed_hub: HubHandle):
    _call_service(case, fuzzed_hub.url + "/r1/VN/GOV/000.00.00.G01/CSDLQGDC")


@business.parametrize()
@BOUNDED
def test_a_published_get_service_answers_as_documented(case: schemathesis.Case, fuzzed_hub: HubHandle):
    _call_service(case, fuzzed_hub.url + "/r1/VN/GOV/000.00.00.G12/CSDLDKDN")
