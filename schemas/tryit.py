"""Payloads of the admin API's try-it route (``/api/v1/examples``): one valid example request per
service, with both addresses a trainee can send it to."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

__all__ = ["ExampleList", "ServiceExample"]


class ServiceExample(BaseModel):
    service: str = Field(description="The service's X-Road identifier")
    method: str
    client: str = Field(description="A demo client subsystem allowed to send it")
    payload: Any = Field(default=None, description="The JSON body, when the operation takes JSON")
    query: dict[str, str] = Field(default_factory=dict)
    xml: str | None = Field(default=None, description="The XML body, when the operation takes XML")
    xroad_path: str = Field(description="/r1/... : the X-Road style address (with X-Road-Client)")
    gateway_path: str | None = Field(
        default=None, description="/{context}/{version}/{resource}: the gateway style address (bearer token)"
    )


class ExampleList(BaseModel):
    items: list[ServiceExample]
