"""The hub's own wire shapes in the X-Road style: error bodies and metaservice answers; and the
shapes of a provider's own errors, which the hub passes through as they came."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["EndpointRef", "ErrorBody", "ProviderError", "ServiceRef", "SoapFault", "ViolationBody"]


class ViolationBody(BaseModel):
    location: str = Field(description="body, query (parameters as one JSON object), path, header or response")
    pointer: str = Field(description="RFC 6901 JSON pointer into the body; empty for the whole body")
    message: str = Field(description="What was expected")
    rule: str = Field(description="The rule broken, e.g. cccd_province, missing, extra_forbidden")


class ErrorBody(BaseModel):
    """An error the platform itself raised; the same ``type`` is in the ``X-Road-Error`` header."""

    type: str
    message: str
    detail: str | None = None
    violations: list[ViolationBody] | None = None


class ProviderError(BaseModel):
    """A provider's own error body, passed through unchanged (no ``X-Road-Error`` header): each agency
    has its own fields (``error_code``, ``errorCode``, ``MaLoi``, ``KetQua``...)."""

    model_config = ConfigDict(extra="allow", title="ProviderError")


class SoapFault(BaseModel):
    """A SOAP provider's Fault, as the hub passes it on in JSON: the Fault's children by name."""

    model_config = ConfigDict(extra="allow")

    faultcode: str = Field(description="e.g. soapenv:Client or soapenv:Server, as the provider wrote it")
    faultstring: str = Field(description="The provider's explanation")
    detail: str | None = None


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
