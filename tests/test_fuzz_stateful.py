"""schemathesis's stateful phase against the admin API, over real HTTP (issue 18, section 1): it follows
the OpenAPI links the document publishes (a fault put then cleared, a run started then read, paced,
paused, resumed, stepped and stopped, a message listed then read...) with every check, the stateful
ones too (a resource answered after its DELETE, a resource a link promised that is not there), on
positive data: a link fills a call's parameters and body from an earlier answer, which overwrites
what a negative mutation broke (schemathesis then reports the repaired call as an invalid one
accepted), so negative data stays with tests/test_fuzz_openapi.py (100 examples per operation). Bounded:
at most ``EXAMPLES`` scenarios of at most ``STEPS`` calls each, each scenario on a fresh hub (so a
scenario replayed meets the state it met first: it removes services, rotates credentials, logs calls)."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

import requests
import schemathesis
from schemathesis import GenerationMode
from schemathesis.generation.stateful import run_state_machine_as_test
from schemathesis.specs.openapi.checks import use_after_free

from ngsp_sim.admin.api import admin_openapi
from ngsp_sim.admin.links import LINKS
from ngsp_sim.config import HubConfig, SecurityConfig
from ngsp_sim.testing.embedded import EmbeddedHub, HubHandle
from tests.fuzz_rules import beyond_json_schema, fuzz_config, fuzz_settings, whole_numbers

TOKEN = "stateful-admin-token-0123456789"
EXAMPLES = 100
STEPS = 10
STATEFUL = fuzz_settings(EXAMPLES, stateful_step_count=STEPS)


CONFIG = HubConfig(port=0, population=10, admin_token=TOKEN, security=SecurityConfig(kdf_cost=2**10))


def test_every_link_names_operations_the_document_has() -> None:
    doc = admin_openapi()
    operations = {op["operationId"] for ops in doc["paths"].values() for op in ops.values()}
    published = [
        (op["operationId"], link["operationId"])
        for ops in doc["paths"].values()
        for op in ops.values()
        for status, answer in op["responses"].items()
        if status.startswith("2")
        for link in answer.get("links", {}).values()
    ]
    assert sorted(published) == sorted((link.source, link.target) for link in LINKS)
    assert {target for _, target in published} <= operations
    assert ("put_put_fault", "delete_delete_fault") in published
    assert ("post_start_run", "delete_stop_run") in published


def test_starting_a_run_answers_the_status_the_document_gives() -> None:
    documented = admin_openapi()["paths"]["/api/v1/scenario-runs"]["post"]["responses"]
    with EmbeddedHub(CONFIG) as hub:
        answer = requests.post(
            f"{hub.url}/api/v1/scenario-runs",
            json={"scenario": "identity-check", "step": True},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=30,
        )
    assert answer.status_code == 201, answer.text
    assert "201" in documented and "200" not in documented
    assert documented["201"]["links"]["GetRun"] == {
        "operationId": "get_get_run",
        "parameters": {"id": "$response.body#/id"},
        "description": "One scenario run, step by step",
    }


def test_the_admin_api_keeps_its_state_as_linked() -> None:
    schema = schemathesis.openapi.from_dict(admin_openapi(), config=fuzz_config(GenerationMode.POSITIVE)).exclude(
        path="/api/v1/events"
    )
    machine: Any = schema.as_state_machine()

    answered: set[tuple[str, str, int]] = set()

    class AdminAPI(machine):  # type: ignore[misc]  # schemathesis builds the class at run time
        hub: HubHandle
        stack: ExitStack

        def setup(self) -> None:
            self.stack = ExitStack()
            self.hub = self.stack.enter_context(EmbeddedHub(CONFIG))

        def teardown(self) -> None:
            self.stack.close()
            super().teardown()

        def after_call(self, response: schemathesis.Response, case: schemathesis.Case[Any]) -> None:
            super().after_call(response, case)
            answered.add((case.method, case.path, response.status_code))

        def before_call(self, case: schemathesis.Case[Any]) -> None:
            case.body = whole_numbers(case.body)

        def get_call_kwargs(self, case: schemathesis.Case[Any]) -> dict[str, Any]:
            return {"base_url": self.hub.url, "headers": {"Authorization": f"Bearer {TOKEN}"}}

        def validate_response(
            self, response: schemathesis.Response, case: schemathesis.Case[Any], **kwargs: Any
        ) -> None:
            case.validate_response(
                response,
                excluded_checks=beyond_json_schema(case) + _kept_when_deleted(case),
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    run_state_machine_as_test(AdminAPI, settings=STATEFUL)
    # Reached only through a link (an id, key or name from an earlier answer) and answered 2xx. Which
    # ones vary with the examples (a run started without step mode may be over before a link stops it).
    followed = {(method, path) for method, path, status in answered if "{" in path and 200 <= status < 300}
    # (which operations the derandomized draws reach moves with the document; starting a run through its
    # link is checked on its own, in test_starting_a_run_answers_the_status_the_document_gives)
    assert len(followed) >= 4, sorted(answered)


def _kept_when_deleted(case: schemathesis.Case[Any]) -> list[Any]:
    """A scenario run's DELETE stops it and, as the document says, the run stays readable (among the
    last 20, state ``stopped``), so a trainer sees how far it went: not a use after free."""
    return [use_after_free] if case.path == "/api/v1/scenario-runs/{id}" else []
