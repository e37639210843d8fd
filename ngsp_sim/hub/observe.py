"""Where a service's schema is enforced or only observed (``mode`` of a service with a real endpoint).

``enforce`` (the default) refuses a request that breaks the operation's schema before the provider, and
an answer that breaks the response schema as the provider's failure. ``observe`` passes both on: the
caller gets the provider's reply with the header ``X-NGSP-Violations`` (request and response violations
together), and the message log keeps every violation, each with its side (``query``, ``body`` or
``response``), for the dashboard's inspector.
"""

from __future__ import annotations

from typing import Any

from adapters.base import Operation
from ngsp_sim.errors import RequestSchemaViolation, ResponseSchemaViolation, Violation
from ngsp_sim.registry.spec import ServiceMode
from ngsp_sim.validation import validate

__all__ = ["VIOLATIONS_HEADER", "admit_request", "admit_response"]

VIOLATIONS_HEADER = "X-NGSP-Violations"


def admit_request(
    mode: ServiceMode, op: Operation, violations: list[Violation], headers: dict[str, str]
) -> list[Violation]:
    """The request's violations when observed (counted in ``headers``); refused when enforced."""
    if mode == "observe":
        headers[VIOLATIONS_HEADER] = str(len(violations))
        return violations
    if violations:
        raise RequestSchemaViolation(
            f"the request breaks the schema of {op.code} ({len(violations)} violation(s))", violations
        )
    return []


def admit_response(
    mode: ServiceMode, op: Operation, data: Any, observed: list[Violation], headers: dict[str, str]
) -> list[Violation]:
    """``observed`` plus the answer's violations when observed; :class:`ResponseSchemaViolation` when
    enforced (the provider failed the contract)."""
    _, violations = validate(op.response_model, data, "response", strict=True)
    if mode == "observe":
        headers[VIOLATIONS_HEADER] = str(len(observed) + len(violations))
        return observed + violations
    if violations:
        raise ResponseSchemaViolation(
            f"the provider's answer breaks the response schema of {op.code} ({len(violations)} violation(s))",
            violations,
        )
    return observed
