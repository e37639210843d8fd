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

import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import GenerationMode
from schemathesis.generation.stateful import run_state_machine_as_test
from schemathesis.specs.openapi.checks import use_after_free

from ngsp_sim.admin.api import admin_openapi
from ngsp_sim.admin.links import LINKS
from ngsp_sim.config import HubConfig, SecurityConfig
from ngsp_sim.testing.embedded import EmbeddedHub, HubHandle
from tests.fuzz_rules import beyond_json_schema, fuzz_config, whole_numbers

TOKEN = "stateful-admin-token-0123456789"
EXAMPLES = 100
STEPS = 10
STATEFUL = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


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


def test_the_admin_api_keeps_its_state_as_linked() -> None:
    schema = schemathesis.openapi.from_dict(admin_openapi(), config=fuzz_config(GenerationMode.POSITIVE)).exclude(
        path="/api/v1/events"
    )
    machine: Any = schema.as_state_machine()

    answered: set[tuple[str, str, int]] = set()

    class AdminAPI(machine):  # type: ignore[misc,valid-type]  # schemathesis builds the class at run time
        hub: HubHandle
        stack: ExitStack

        def setup(self) -> None:
            self.stack = ExitStack()
            self.hub = self.stack.enter_context(EmbeddedHub(CONFIG))

        def teardown(self) -> None:
            self.stack.close()
            super().teardown()

        def after_call(self, response: schemathesis.Response, case: schemathesis.Case) -> None:
            super().after_call(response, case)
            answered.add((case.method, case.path, response.status_code))

        def before_call(self, case: schemathesis.Case) -> None:
            case.body = whole_numbers(case.body)

        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"base_url": self.hub.url, "headers": {"Authorization": f"Bearer {TOKEN}"}}

        def validate_response(self, response: schemathesis.Response, case: schemathesis.Case, **kwargs: Any) -> None:
            case.validate_response(
                response,
                excluded_checks=beyond_json_schema(case) + _kept_when_deleted(case),
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    run_state_machine_as_test(AdminAPI, settings=STATEFUL)
    followed = {  # reached only through a link (an id or a name from an earlier answer)
        ("POST", "/api/v1/scenario-runs", 201),
        ("DELETE", "/api/v1/scenario-runs/{id}", 200),
        ("DELETE", "/api/v1/subscriptions/{id}", 200),
        ("POST", "/api/v1/credentials/{key}/rotate", 200),
        ("GET", "/api/v1/scenarios/{name}", 200),
    }
    assert followed <= answered, sorted(followed - answered)


def _kept_when_deleted(case: schemathesis.Case) -> list[Any]:
    """A scenario run's DELETE stops it and, as the document says, the run stays readable (among the
    last 20, state ``stopped``), so a trainer sees how far it went: not a use after free."""
    return [use_after_free] if case.path == "/api/v1/scenario-runs/{id}" else []
