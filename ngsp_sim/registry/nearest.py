"""Why a call missed: the registered thing nearest to what a caller named, for every "unknown" refusal.

A misspelled service code (``TraCuuThongTinCongDna``), subsystem (``MOTCAU``), member code or gateway
address is refused with "did you mean …" naming the closest registered one, and the closest few in the
error's ``detail``; both wire styles carry them (the X-Road body's ``message``/``detail``, the gateway
fault's ``description``). An access refusal names the rule nearest to the call and what it allows.
Closeness is :func:`ngsp_sim.validation.yaml_source.close_matches`, as for a misspelled YAML key.
"""

from __future__ import annotations

from ngsp_sim.errors import AccessDenied, UnknownMember, UnknownService
from ngsp_sim.identifiers import ServiceId, SubsystemId
from ngsp_sim.registry.access import AccessRule
from ngsp_sim.registry.model import Registry
from ngsp_sim.validation.yaml_source import close_matches

__all__ = ["access_denied", "require_client", "require_parties", "unknown_gateway_address", "unknown_service"]

_SHOWN = 3  # candidates listed in ``detail``


def _suggested(text: str, candidates: list[str]) -> tuple[str, str | None]:
    """``text`` with "; did you mean …?" and the detail listing ``candidates`` (none: unchanged)."""
    if not candidates:
        return text, None
    return f"{text}; did you mean {candidates[0]}?", f"closest registered: {', '.join(candidates)}"


def require_client(registry: Registry, client: SubsystemId) -> None:
    """Raise UnknownMember, naming the nearest registered subsystem or member, unless ``client`` is registered."""
    if not registry.has_client(client):
        known = [str(s) for s in registry.subsystems] + [str(m) for m in registry.agencies]
        message, detail = _suggested(
            f"the client {client} is not a registered client of instance {registry.instance}",
            close_matches(client, known, _SHOWN),
        )
        raise UnknownMember(message, detail=detail)


def require_parties(registry: Registry, client: SubsystemId, provider: SubsystemId) -> None:
    """Raise UnknownMember, naming the nearest registered subsystem, unless both are registered."""
    require_client(registry, client)
    if provider not in registry.subsystems:
        message, detail = _suggested(
            f"the provider {provider} is not a registered subsystem",
            close_matches(provider, [str(s) for s in registry.subsystems], _SHOWN),
        )
        raise UnknownMember(message, detail=detail)


def unknown_service(registry: Registry, provider: SubsystemId, code: str) -> UnknownService:
    """``provider`` (registered) offers no ``code``: the nearest of its codes, or where ``code`` is offered."""
    offered = sorted(s.id.service_code for s in registry.services_of(provider))
    text = f"{provider} offers no service {code!r}"
    if close := close_matches(code, offered, _SHOWN):
        message, detail = _suggested(text, close)
        return UnknownService(message, detail=f"{detail}; it offers: {', '.join(offered)}")
    if elsewhere := sorted(str(s) for s in registry.services if s.service_code == code):
        return UnknownService(f"{text}; did you mean {elsewhere[0]}?", detail=f"offered by: {', '.join(elsewhere)}")
    return UnknownService(text, detail=f"it offers: {', '.join(offered) or 'nothing'}")


def unknown_gateway_address(registry: Registry, address: tuple[str, str, str], hint: str = "") -> UnknownService:
    """No API at ``/{context}/{version}/{resource}``: the nearest published address (a misspelled
    context, another version)."""
    published = sorted("/" + "/".join(a) for a in registry.gateway)
    asked = "/" + "/".join(address)
    message, detail = _suggested(f"no API is published at {asked[:200]}", close_matches(asked, published, _SHOWN))
    return UnknownService(message + hint, detail=detail)


def _allows(rule: AccessRule) -> str:
    methods = ", ".join(sorted(rule.methods)) if rule.methods else "every method"
    paths = ", ".join(rule.paths) if rule.paths is not None else "every path"
    return f"{methods} on {paths}"


def _grantee(rule: AccessRule) -> str:
    return str(rule.client) if rule.client is not None else f"group {rule.group}"


def access_denied(registry: Registry, client: SubsystemId, service: ServiceId, method: str, path: str) -> AccessDenied:
    """The refusal of ``method path`` on ``service`` to ``client``, naming the closest of the client's own
    rules: for this service (one allowing the method first), else for the provider's service whose code
    is most like this one. Other clients' rights are never named: a refusal tells a caller only its own."""
    text = f"{client} may not call {method} {path} on {service}"
    if own := registry.rules_for(client, service):
        rule = min(own, key=lambda r: (r.methods is not None and method not in r.methods, r.paths is None))
        return AccessDenied(
            f"{text}; the closest rule ({_grantee(rule)}) allows {_allows(rule)}",
            detail=f"rules for this client: {'; '.join(_allows(r) for r in own)}",
        )
    granted = {s.id.service_code: s for s in registry.allowed_services(client, service.subsystem)}
    if not granted:
        return AccessDenied(f"{text}; no rule grants {client} any service of {service.subsystem}")
    code = (close_matches(service.service_code, granted, 1) or sorted(granted))[0]
    rule = registry.rules_for(client, granted[code].id)[0]
    return AccessDenied(
        f"{text}; no rule grants {client} this service: the closest rule ({_grantee(rule)}) grants {code} "
        f"{_allows(rule)}",
        detail=f"{client} may call on {service.subsystem}: {', '.join(sorted(granted))}",
    )
