"""The topology file format, as pydantic models (the file is YAML; see ``demo.yaml``).

These models check each value on its own (identifier characters, QCVN 102 agency codes, URLs,
timeouts); :mod:`ngsp_sim.registry.loader` then checks what refers to what.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl

from ngsp_sim.identifiers import ServiceId, SubsystemId, check_part
from schemas.common import AgencyCode

__all__ = ["AccessSpec", "AgencySpec", "LocalizedName", "ServiceSpec", "SubsystemSpec", "TopologySpec"]

HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


def _part(what: str) -> Any:
    return AfterValidator(lambda v: check_part(v, what))


def _parsed(parse: Any) -> Any:
    def check(value: str) -> str:
        parse(value)
        return value

    return AfterValidator(check)


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalizedName(_Spec):
    vi: str = Field(min_length=1)
    en: str = Field(min_length=1)


class ServiceSpec(_Spec):
    code: Annotated[str, _part("service code")]
    adapter: str = Field(description="Name of the adapter carrying this service (e.g. population)")
    operation: str | None = Field(default=None, description="Adapter operation; defaults to code")
    version: str = "v1"
    methods: list[HttpMethod] | None = Field(default=None, description="Defaults to the operation's")
    endpoint: HttpUrl | None = Field(
        default=None, description="Base URL of a real provider; omitted: the subsystem's simulator"
    )
    timeout: float = Field(default=10.0, gt=0, le=300, description="Seconds to wait for the provider")
    disabled: bool = False


class SubsystemSpec(_Spec):
    code: Annotated[str, _part("subsystem code")]
    name: LocalizedName
    simulator: str | None = Field(default=None, description="Built-in simulated agency serving it")
    log_bodies: bool = Field(default=True, description="Keep message bodies in the message log")
    adapters: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Options per adapter name, e.g. login credentials"
    )
    services: list[ServiceSpec] = Field(default_factory=list)


class AgencySpec(_Spec):
    code: AgencyCode
    member_class: Annotated[str, _part("member class")] = "GOV"
    name: LocalizedName
    subsystems: list[SubsystemSpec] = Field(default_factory=list)


class AccessSpec(_Spec):
    client: Annotated[str, _parsed(SubsystemId.parse)] = Field(description="INSTANCE/CLASS/MEMBER/SUBSYSTEM")
    service: Annotated[str, _parsed(ServiceId.parse)] = Field(description="…/SUBSYSTEM/SERVICE")
    methods: list[HttpMethod] | None = Field(default=None, description="Omitted: every method")
    paths: list[Annotated[str, Field(pattern=r"^/")]] | None = Field(
        default=None, description="Path patterns below the service; * one segment, ** any. Omitted: all"
    )


class TopologySpec(_Spec):
    instance: Annotated[str, _part("instance")] = "VN"
    agencies: list[AgencySpec] = Field(min_length=1)
    access: list[AccessSpec] = Field(default_factory=list)
