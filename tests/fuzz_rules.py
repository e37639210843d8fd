"""What the fuzz tests tell schemathesis beyond the documents: how the hub is configured for it, the
rules JSON Schema cannot say (each in the documents' descriptions), and whole numbers written as
integers. Shared by tests/test_fuzz_openapi.py and tests/test_fuzz_stateful.py."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance, unsupported_method

__all__ = ["beyond_json_schema", "fuzz_config", "fuzz_settings", "whole_numbers"]


def fuzz_settings(examples: int, **more: Any) -> settings:
    """Hypothesis settings for ``examples`` examples: repeatable (derandomized, no example database),
    no deadline or health checks (a busy machine is not a failure), no shrinking."""
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        **more,
    )


def fuzz_config(*modes: GenerationMode) -> SchemathesisConfig:
    """Data of ``modes``: positive and negative unless told."""
    config = SchemathesisConfig()
    config.projects.default.generation.update(modes=list(modes or (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)))
    return config


def beyond_json_schema(case: schemathesis.Case[Any]) -> list[Any]:
    """Rules JSON Schema cannot say, each in the document's descriptions: a scenario run given as YAML
    text (``source``: the scenario format's rules, README, Scenarios) or with ``variables`` (only those
    the named scenario declares, which its own document lists), and the order of two numbers
    (a uniform latency's ``min_ms`` not above ``max_ms``, a fault's ``end`` after its ``start``).
    A schema-valid body that breaks one is refused (400 naming it); every other check still applies."""
    body: dict[str, Any] = case.body if isinstance(case.body, dict) else {}
    given = body.get("latency")
    latency: dict[str, Any] = given if isinstance(given, dict) else {}
    run = case.path == "/api/v1/scenario-runs"
    beyond = (run and (body.get("source") is not None or bool(body.get("variables")))) or (
        case.path == "/api/v1/faults/{id}"
        and (
            _out_of_order(latency.get("min_ms"), latency.get("max_ms"), equal_ok=True)
            or _out_of_order(body.get("start"), body.get("end"), equal_ok=False)
        )
    )
    body_optional = not case.operation.definition.raw.get("requestBody", {}).get("required", False)
    empty = body_optional and not isinstance(case.body, (dict, list, str, bytes))
    empty = empty and not case.query and not case.path_parameters
    # a "negative" case that carries nothing generated (no body for an optional one, no query, no path
    # parameter) has nothing invalid in it: schemathesis labels it "Invalid component: positive test
    # case" when its mutation found nothing to break, and the hub rightly accepts it
    return [positive_data_acceptance] * beyond + [negative_data_rejection] * empty


def _out_of_order(low: Any, high: Any, *, equal_ok: bool) -> bool:
    """Whether two numbers (both given) are in the wrong order."""
    if not all(isinstance(n, (int, float)) and not isinstance(n, bool) for n in (low, high)):
        return False
    return bool(low > high or (low == high and not equal_ok))


def whole_numbers(body: Any) -> Any:
    """``body`` with each number that has a zero fraction (``2.0``, which JSON Schema counts as an
    integer and schemathesis sends for one) written as an integer: the hub refuses ``2.0`` for an
    integer, as strict providers do, and every published ``integer`` says so in its description (JSON
    Schema itself cannot). The fuzzer is told that rule here, as it is told a tax code's check digit
    (tests/fuzz_formats.py); test_strict_types checks the refusal itself."""
    if isinstance(body, float) and body.is_integer() and abs(body) < 2**53:
        return int(body)
    if isinstance(body, dict):
        return {key: whole_numbers(value) for key, value in body.items()}
    if isinstance(body, list):
        return [whole_numbers(item) for item in body]
    return body


def platform_errors_only(ctx: Any, response: schemathesis.Response, case: schemathesis.Case[Any]) -> bool:
    """A 5xx must be one of X-Road's documented platform errors (Server.*: an unknown client member,
    a provider failure...), never an unhandled error of the hub."""
    if response.status_code >= 500:
        error = response.headers.get("x-road-error", [""])[0]
        assert error.startswith("Server.") and error != "Server.ServerProxy.InternalError", (
            f"{response.status_code} with X-Road-Error {error!r}: {response.text[:300]}"
        )
    return True


def call_service(case: schemathesis.Case[Any], base_url: str) -> None:
    """An undeclared method gets X-Road's own answer, Server.ServerProxy.ServiceType (500, as the real
    security server answers, declared as 5XX), or a client error found first. Everything else must be
    as documented; a 5xx only as one of X-Road's platform errors (an unknown client is
    Server.ClientProxy.UnknownMember, as on the real platform), never an unhandled one."""
    if case.method.lower() not in case.operation.schema.raw_schema["paths"][case.path]:
        response = case.call(base_url=base_url)
        error = response.headers.get("x-road-error", [""])[0]  # schemathesis: lower-case names, lists
        assert (response.status_code, error) == (500, "Server.ServerProxy.ServiceType") or (
            400 <= response.status_code < 500 and error.startswith("Client.")  # refused before the method check
        ), (response.status_code, dict(response.headers), case.as_curl_command())
        return
    case.body = whole_numbers(case.body)
    case.call_and_validate(
        base_url=base_url,
        excluded_checks=[unsupported_method, not_a_server_error],  # replaced by the X-Road rule above/below
        additional_checks=[platform_errors_only],
    )
