"""The hub's own wire shapes in the X-Road style: error bodies and metaservice answers."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["EndpointRef", "ErrorBody", "ServiceRef", "ViolationBody"]


class ViolationBody(BaseModel):
    location: str = Field(description="body, query (parameters as one JSON object) or response")
    pointer: str = Field(description="RFC 6901 JSON pointer into the body; empty for the whole body")
    message: str = Field(description="What was expected")
    rule: str = Field(description="The rule broken, e.g. cccd_province, missing, extra_forbidden")


class ErrorBody(BaseModel):
    """An error the platform itself raised; the same ``type`` is in the ``X-Road-Error`` header."""

    type: str
    message: str
    detail: str | None = None
    violations: list[ViolationBody] | None = None


class EndpointRef(BaseModel):
    method: str
    path: str


class ServiceRef(BaseModel):
    object_type: str = "SERVICE"
    xroad_instance: str
    member_class: str
    member_code: str
    subsystem_code: str
    service_code: str
    service_version: str | None = None
    service_type: str = "OPENAPI"
    endpoint_list: list[EndpointRef] = Field(default_factory=list)
