"""Run conformance cases against an integrator's provider.

The provider is registered as the service's endpoint in a hub of its own (an embedded one on a free
loopback port), so valid and boundary requests take the production path: access, validation, the
adapter, the provider, the response model. Invalid requests cannot pass the hub (it refuses them before
any provider sees them), so they go to the provider directly, encoded by the same adapter: the question
there is how the *provider* treats what it should refuse.

Expected behaviour:

- valid and boundary: a 2xx whose body satisfies the response model (the hub checks it and names every
  departure, with its location in the provider's answer);
- invalid: a refusal as the protocol spells it (``Adapter.refuses``: a 4xx, or e.g. ``KetQua`` 0), never
  a 5xx, a broken connection, an answer outside the protocol or an acceptance.
"""

from __future__ import annotations

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
from ngsp_sim.conformance.cases import Case, generate_cases
from ngsp_sim.contracts.examples import EXAMPLES
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
    example: dict[str, Any] | None = None,
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
    adapter_cls = plugins.adapters[entry.adapter]
    op = adapter_cls.operations[entry.operation]
    if op.request_xml is not None or op.request_model is None:
        raise ValueError(f"{service}: conformance covers services with a JSON request body; this one has none")
    known = EXAMPLES.get((entry.adapter, entry.operation))
    if example is None:
        if known is None or known.payload is None:
            raise ValueError(f"{service} has no built-in example: give --example FILE (one valid request)")
        example = known.payload
    caller = client or client_for(registry, entry, known)
    if caller is None:
        raise ValueError(f"no client of the topology may call {service}: give --client")
    options = registry.subsystems[service_id.subsystem].adapter_options.get(entry.adapter, {})
    return Plan(
        service,
        target,
        text,
        caller,
        adapter_cls(options),
        entry.operation,
        sorted(entry.methods)[0],
        entry.timeout,
        generate_cases(op.request_model, example, count, seed),
    )


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
    headers = {"X-Road-Client": p.client, "Content-Type": "application/json"}
    async with session.request(
        p.method, f"{url}/r1/{p.service}", data=orjson.dumps(case.payload), headers=headers
    ) as answer:
        body = await answer.read()
        if 200 <= answer.status < 300:
            return True, f"answered {answer.status} with a valid {p.operation} response", answer.status
        return False, _hub_failure(answer.status, answer.headers, body), answer.status


async def _direct(transport: HttpTransport, p: Plan, case: Case) -> tuple[bool, str, int | None]:
    member = SubsystemId.parse(p.client).member_code
    call = HubCall(p.operation, p.method, "/", _Raw(case.payload), None, member, "conformance")  # type: ignore[arg-type]
    answers: list[NativeResponse] = []

    async def send(native: NativeRequest) -> NativeResponse:
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
                if case.kind == "invalid":
                    passed, detail, status = await _direct(transport, p, case)
                else:
                    passed, detail, status = await _through_hub(session, handle.url, p, case)
                results.append(Result(case, passed, detail, status, time.perf_counter() - started))
                if progress is not None:
                    progress(len(results), len(p.cases), results[-1])
    finally:
        hub.stop()
    return results
