"""schemathesis against the hub's own OpenAPI documents, over real HTTP: the admin API, and every
service contract as the hub publishes it under /r1 (issue 18, section 1). Every check schemathesis has
(status, content type, headers, body schema, positive data accepted, negative data refused, methods,
required headers...), positive and negative data, at least 100 examples per operation in CI
(``NGSP_SIM_FUZZ_EXAMPLES`` lowers it on a workstation; ``CI=true`` always runs 100). The only
disagreement allowed is X-Road's own: a platform error answered as a documented 500 with a
``Server.*`` ``X-Road-Error`` (an unknown client member, an undeclared method), never an unhandled one.
The admin API's links are followed by tests/test_fuzz_stateful.py (the stateful phase); the service
documents declare none (each is one operation)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis

import adapters
from ngsp_sim import sim
from ngsp_sim.admin.api import admin_openapi
from ngsp_sim.config import HubConfig, SecurityConfig
from ngsp_sim.contracts.openapi import service_openapi
from ngsp_sim.registry import load_registry
from ngsp_sim.testing.embedded import EmbeddedHub, HubHandle
from tests.fuzz_formats import register_formats
from tests.fuzz_rules import beyond_json_schema as _beyond_json_schema  # the test source (its examples) unchanged
from tests.fuzz_rules import call_service, fuzz_config, fuzz_settings, whole_numbers

TOKEN = "fuzz-admin-token-0123456789"
CI_EXAMPLES = 100
EXAMPLES = CI_EXAMPLES if os.environ.get("CI") == "true" else int(os.environ.get("NGSP_SIM_FUZZ_EXAMPLES", CI_EXAMPLES))
FUZZ = fuzz_settings(EXAMPLES)
register_formats()


@pytest.fixture(scope="module")
def fuzzed_hub() -> Iterator[HubHandle]:
    config = HubConfig(port=0, population=50, admin_token=TOKEN, security=SecurityConfig(kdf_cost=2**10))
    with EmbeddedHub(config) as hub:
        yield hub


admin = schemathesis.openapi.from_dict(admin_openapi(), config=fuzz_config()).exclude(path="/api/v1/events")  # endless


@admin.parametrize()
@FUZZ
def test_the_admin_api_answers_as_documented(case: schemathesis.Case, fuzzed_hub: HubHandle):
    case.body = whole_numbers(case.body)
    case.call_and_validate(
        base_url=fuzzed_hub.url,
        headers={"Authorization": f"Bearer {TOKEN}"},
        excluded_checks=_beyond_json_schema(case),
    )


def _published() -> dict[str, tuple[str, dict[str, Any]]]:
    """One document per distinct contract (the three one-stop systems publish the same one): test
    name -> (the service's /r1 base, its document)."""
    registry = load_registry(None, adapters.BUILTIN, sim.BUILTIN)
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    seen: set[tuple[str, str]] = set()
    for service_id, entry in sorted(registry.services.items(), key=lambda item: str(item[0])):
        adapter = adapters.BUILTIN[entry.adapter]
        op = adapter.operations[entry.operation]
        if (entry.adapter, entry.operation) in seen:
            continue
        seen.add((entry.adapter, entry.operation))
        name = f"test_{entry.adapter}_{entry.operation}_answers_as_documented"
        out[name] = (f"/r1/{service_id.subsystem}", service_openapi(entry, op, xml_bound=adapter.speaks_xml))
    return out


def _service_test(base: str, doc: dict[str, Any]) -> Callable[..., None]:
    schema = schemathesis.openapi.from_dict(doc, config=fuzz_config())

    @schema.parametrize()
    @FUZZ
    def test(case: schemathesis.Case, fuzzed_hub: HubHandle):
        call_service(case, fuzzed_hub.url + base)

    return test  # type: ignore[no-any-return]  # schemathesis's decorators are untyped


for _name, (_base, _doc) in _published().items():
    globals()[_name] = _service_test(_base, _doc)
