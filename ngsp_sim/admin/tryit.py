"""The dashboard's try-it panel asks here for a valid example request per registered service (the
project's shipped examples, :data:`ngsp_sim.contracts.examples.EXAMPLES`) with its two addresses: X-Road
``/r1`` and, when the service is also published so, the NGSP gateway path. The panel then sends it from
the browser over the hub's own public interface, like any connector."""

from __future__ import annotations

from aiohttp import web

from ngsp_sim.admin.handlers import ok
from ngsp_sim.contracts.examples import EXAMPLES
from ngsp_sim.hub.runtime import HUB
from ngsp_sim.registry import Registry, Service
from ngsp_sim.sim.contract import example_request
from schemas.tryit import ExampleList, ServiceExample

__all__ = ["ExampleList", "list_examples"]


async def list_examples(request: web.Request) -> web.Response:
    registry = request.app[HUB].pipeline.table.registry
    items = []
    for service in sorted(registry.services.values(), key=lambda s: str(s.id)):
        if service.contract is not None:
            items += _from_contract(registry, service)
            continue
        example = EXAMPLES.get((service.adapter, service.operation))
        if example is None or service.disabled:
            continue
        items.append(
            ServiceExample(
                service=str(service.id),
                method=example.method,
                client=example.client,
                payload=example.payload,
                query=example.query,
                xml=example.xml.decode() if example.xml is not None else None,
                xroad_path=f"/r1/{service.id}",
                gateway_path="/" + "/".join(service.gateway) if service.gateway else None,
            )
        )
    return ok(ExampleList(items=items))


def _from_contract(registry: Registry, service: Service) -> list[ServiceExample]:
    """A request generated from a contract service's document, sent as the first client its access
    rights name (none when no client may call it)."""
    client = next((r.client for r in registry.rules if r.service == service.id and r.client is not None), None)
    if service.contract is None or client is None or service.disabled:
        return []
    payload, query, path = example_request(service.contract)
    return [
        ServiceExample(
            service=str(service.id),
            method=service.contract.method,
            client=str(client),
            payload=payload,
            query=query,
            xroad_path=f"/r1/{service.id}{path}",
            gateway_path="/" + "/".join(service.gateway) + path if service.gateway else None,
        )
    ]
