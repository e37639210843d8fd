"""The body a scenario's ``call`` step sends: JSON (a payment INIT signed when the step says so), or an
edXML document or status built as the exchange axis expects it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from adapters.edxml import build_edoc, build_status
from adapters.payment import sign_init
from ngsp_sim.scenarios.model import Step
from ngsp_sim.scenarios.values import substitute

__all__ = ["request_body"]


def request_body(step: Step, variables: Mapping[str, Any]) -> tuple[str, bytes]:
    """(content type, body) of ``step``'s request, its variables filled in."""
    content_type, body = "application/json", b""
    if step.edoc is not None:
        e = substitute(step.edoc.model_dump(by_alias=True), variables)
        body = build_edoc(
            e["from"],
            e["to"],
            number=e["number"],
            notation=e["notation"],
            date=e["date"],
            subject=e["subject"],
            signer=e["signer"],
            business_type=1 if e["recall"] else 0,
            reason="Thu hồi" if e["recall"] else None,
        )
        content_type = "text/xml"
    elif step.edoc_status is not None:
        e = substitute(step.edoc_status.model_dump(by_alias=True), variables)
        body = build_status(e["document"], e["from"], e["code"], e["timestamp"], e["description"])
        content_type = "text/xml"
    elif step.body is not None:
        data = substitute(step.body, variables)
        if step.payment_secret is not None and isinstance(data, dict):
            data["MaXacThuc"] = sign_init(data, str(substitute(step.payment_secret, variables)))
        body = orjson.dumps(data)
    return content_type, body
