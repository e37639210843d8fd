"""Run conformance cases against an integrator's provider.

The provider is registered as the service's endpoint in a hub of its own (an embedded one on a free
loopback port), so valid and boundary requests take the production path: access, validation, the
adapter, the provider, the response model. Invalid requests cannot pass the hub (it refuses them before
any provider sees them), so they go to the provider directly, encoded by the same adapter: the question
there is how the *provider* treats what it should refuse.

Expected behaviour:

- valid and boundary: a 2xx whose body satisfies the response model (the hub checks it and names every
  departure, with its location in the provider's answer);
- invalid and protocol (a request damaged on the wire, sent directly too): a refusal as the protocol
  spells it (``Adapter.refuses``: a 4xx, a SOAP ``Client`` fault, or e.g. ``KetQua`` 0), never a 5xx,
  a broken connection, an answer outside the protocol or an acceptance.
"""

from __future__ import annotations

import dataclasses
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import yaml

from adapters.base import Adapter, AdapterError, HubCall, NativeRequest, NativeResponse, drive
from ngsp_sim.config import HubConfig, SecurityConfig
from ngsp_sim.conformance.cases import Case, generate_cases, json_bytes, protocol_cases
from ngsp_sim.conformance.wire import Carrier, carrier_for
from ngsp_sim.contracts.examples import EXAMPLES, Example
from ngsp_sim.contracts.postman import client_for
from ngsp_sim.identifiers import ServiceId, SubsystemId
from ngsp_sim.plugins import installed
from ngsp_sim.registry import read_topology
from ngsp_sim.registry.loader import registry_from_text
from ngsp_sim.testing.embedded import EmbeddedHub
from ngsp_sim.transport import ExchangeContext, HttpTransport

__all__ = ["Plan", "Result", "plan", "run_plan"]


@dataclass(frozen=True, slots=True)
class Result:
    case: Case
    passed: bool
    detail: str
    status: int | None
    seconds: float


@dataclass(frozen=True)
class Plan:
    service: str
    target: str
    topology_text: str
    client: str
    adapter: Adapter
    operation: str
    method: str
    timeout: float
    cases: list[Case]
    carrier: Carrier
    """How the service's requests travel: a JSON body, query parameters, an XML document, or nothing."""


class _Raw:
    """A payload as it is, for adapters that dump their request model: invalid data, not validated."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def model_dump(self, **_: Any) -> dict[str, Any]:
        return self.data


def _retarget(text: str, service: ServiceId, target: str) -> str:
    """The topology with ``service`` provided by ``target`` (and no injected faults)."""
    spec = yaml.safe_load(text)
    for agency in spec.get("agencies", []):
        for sub in agency.get("subsystems", []):
            for entry in sub.get("services", []):
                here = (
                    f"{spec.get('instance', 'VN')}/{agency.get('member_class', 'GOV')}/{agency['code']}/{sub['code']}"
                )
                if f"{here}/{entry['code']}" == str(service):
                    entry["endpoint"] = target
                    spec["faults"] = []
                    return str(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False))
    raise ValueError(f"no service {service} in the topology")


def plan(
    service: str,
    target: str,
    *,
    topology: Path | None = None,
    example: dict[str, Any] | bytes | None = None,
    count: int = 20,
    seed: int = 0,
    client: str | None = None,
) -> Plan:
    """Everything a run needs, checked before anything starts."""
    plugins = installed()
    service_id = ServiceId.parse(service)
    text, source = read_topology(topology)
    text = _retarget(text, service_id, target)
    registry = registry_from_text(text, source, plugins.adapters, plugins.simulators)
    entry = registry.services[service_id]
    if entry.contract is not None:
        raise ValueError(
            f"{service} is served from its OpenAPI contract; conformance runs the built-in adapters' cases"
        )
    adapter_cls = plugins.adapters[entry.adapter]
    op = adapter_cls.operations[entry.operation]
    options = registry.subsystems[service_id.subsystem].adapter_options.get(entry.adapter, {})
    adapter = adapter_cls(options)
    carrier, wire = carrier_for(adapter, op)
    known = EXAMPLES.get((entry.adapter, entry.operation))
    if isinstance(example, bytes):
        if carrier.form != "xml":
            raise ValueError(f"{service} takes {carrier.form}, not an XML document: give the example as JSON")
        example = carrier.read_xml(example)
    if example is None:
        example = _known_example(service, carrier, known)
    caller = client or client_for(registry, entry, known)
    if caller is None:
        raise ValueError(f"no client of the topology may call {service}: give --client")
    if carrier.model is None:  # nothing to vary: the operation takes no input
        cases = [Case("valid", "valid: the example", {})]
    else:
        cases = generate_cases(carrier.model, example, count, seed, *(() if wire is None else (wire,)))
        cases += protocol_cases(example, carrier.form)
    return Plan(
        service, target, text, caller, adapter, entry.operation, sorted(entry.methods)[0], entry.timeout, cases, carrier
    )


def _known_example(service: str, carrier: Carrier, known: Example | None) -> dict[str, Any]:
    """The built-in example in the form the service takes."""
    if carrier.form == "none":
        return {}
    if known is not None:
        if carrier.form == "json" and known.payload is not None:
            return known.payload
        if carrier.form == "query" and carrier.model is not None:  # typed, as the provider reads the text
            return carrier.model.model_validate_strings(known.query).model_dump(mode="json", exclude_unset=True)
        if carrier.form == "xml" and known.xml is not None:
            return carrier.read_xml(known.xml)
    raise ValueError(f"{service} has no built-in example: give --example FILE (one valid request)")


def _hub_failure(status: int, headers: Any, body: bytes) -> str:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        data = body[:300].decode("utf-8", "replace")
    if headers.get("X-Road-Error") and isinstance(data, dict):
        lines = [f"the hub answered {status} {data.get('type')}: {data.get('message')}"]
        lines += [f"  {v.get('pointer') or v.get('location')}: {v.get('message')}" for v in data.get("violations", [])]
        return "\n".join(lines)
    return f"the provider answered {status}: {data}"


async def _through_hub(session: aiohttp.ClientSession, url: str, p: Plan, case: Case) -> tuple[bool, str, int]:
    headers = {"X-Road-Client": p.client}
    body: bytes | None = None
    params: dict[str, str] = {}
    if p.carrier.form == "json":
        headers["Content-Type"], body = "application/json", json_bytes(case.payload)
    elif p.carrier.form == "xml":
        headers["Content-Type"], body = "text/xml; charset=utf-8", p.carrier.document(case.payload)
    elif p.carrier.form == "query":
        params = p.carrier.query(case.payload)
    async with session.request(p.method, f"{url}/r1/{p.service}", data=body, params=params, headers=headers) as answer:
        body = await answer.read()
        if 200 <= answer.status < 300:
            return True, f"answered {answer.status} with a valid {p.operation} response", answer.status
        if answer.status in _NOT_HELD and not answer.headers.get("X-Road-Error"):
            text = body[:200].decode("utf-8", "replace")
            return (
                True,
                f"refused it in its protocol ({answer.status}: a record it does not hold): {text}",
                answer.status,
            )
        return False, _hub_failure(answer.status, answer.headers, body), answer.status


_NOT_HELD = frozenset({403, 404, 409})
"""What a REST-minded provider (VDXP) answers a valid request about a record it does not hold, or not
for this caller: its own refusal, passed through by the hub; never 400/422, which say the request is
malformed."""


async def _direct(transport: HttpTransport, p: Plan, case: Case) -> tuple[bool, str, int | None]:
    member = SubsystemId.parse(p.client).member_code
    raw: Any = _Raw(case.payload)  # invalid data, sent as it is
    if p.carrier.form == "query":
        call = HubCall(p.operation, p.method, "/", None, raw, member, "conformance")
    else:
        body = p.carrier.document(case.payload) if p.carrier.form == "xml" else b""
        call = HubCall(p.operation, p.method, "/", raw, None, member, "conformance", body=body)
    answers: list[NativeResponse] = []

    async def send(native: NativeRequest) -> NativeResponse:
        if case.damage is not None and not native.secret:  # a login step goes as it is
            native = _damaged(native, case.damage)
        answers.append(await transport.send(native, p.timeout, ExchangeContext()))
        return answers[-1]

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reply = await drive(p.adapter.exchange(call), send)
    except AdapterError as exc:
        if answers and answers[-1].status >= 500:
            last = answers[-1]
            return False, f"crashed: answered {last.status}: {last.body[:300].decode('utf-8', 'replace')}", last.status
        return False, f"answered outside its protocol: {exc}", answers[-1].status if answers else None
    except (aiohttp.ClientError, TimeoutError) as exc:
        return False, f"no answer: {type(exc).__name__}: {exc}", None
    if p.adapter.refuses(p.operation, reply):  # as the protocol refuses (a SOAP Client fault is a 500)
        return True, f"refused it ({reply.status}): {str(reply.data)[:200]}", reply.status
    if reply.status >= 500:
        return False, f"crashed: answered {reply.status}: {str(reply.data)[:300]}", reply.status
    return False, f"accepted an invalid request: answered {reply.status}: {str(reply.data)[:300]}", reply.status


def _damaged(native: NativeRequest, damage: str) -> NativeRequest:
    if damage == "truncated":
        return dataclasses.replace(native, body=native.body[: len(native.body) // 2])
    if damage == "empty":
        return dataclasses.replace(native, body=b"")
    return dataclasses.replace(native, query=native.query + native.query[:1])


async def run_plan(p: Plan, progress: Any = None) -> list[Result]:
    """Run every case; ``progress(done, total, result)`` is called after each."""
    config = HubConfig(port=0, population=50, security=SecurityConfig(kdf_cost=2**10))
    hub = EmbeddedHub(config, topology_text=p.topology_text)
    results: list[Result] = []
    handle = hub.start()
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=p.timeout + 5)) as session:
            transport = HttpTransport(p.target, session, 10 * 1024 * 1024)
            for case in p.cases:
                started = time.perf_counter()
                if case.kind in ("invalid", "protocol"):
                    passed, detail, status = await _direct(transport, p, case)
                else:
                    passed, detail, status = await _through_hub(session, handle.url, p, case)
                results.append(Result(case, passed, detail, status, time.perf_counter() - started))
                if progress is not None:
                    progress(len(results), len(p.cases), results[-1])
    finally:
        hub.stop()
    return results
