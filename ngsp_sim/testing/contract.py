"""The adapter contract, as functions a plugin's own tests call (ngsp-sim's built-in adapters are held to
the same functions in its test suite).

- :func:`round_trip`: a valid request goes through the adapter to the simulated agency and back; the
  reply is a 200 that satisfies the operation's response model, and every native request the adapter
  yielded is relative to the provider (no host, no I/O of its own);
- :func:`check_garbage_answer`: an answer the protocol does not allow is a ``NativeFormatError``, never
  another exception (a JSON pass-through adapter may accept well-formed JSON: schema validation in the
  hub judges it then).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from adapters.base import Adapter, HubCall, HubReply, NativeFormatError, NativeRequest, NativeResponse, drive
from adapters.xml import parse_xml, xml_to_data
from ngsp_sim.sim import SimulatedAgency

__all__ = ["GARBAGE", "check_garbage_answer", "hub_call", "round_trip"]

GARBAGE = (b"", b"\x00\xff", b"<not-closed", b'{"json": "but wrong shape"}', b"[]")
"""Native answers outside any protocol the built-in adapters speak."""


def hub_call(
    adapter: Adapter,
    operation: str,
    method: str,
    *,
    payload: dict[str, Any] | None = None,
    query: dict[str, str] | None = None,
    xml: bytes | None = None,
    caller: str = "000.00.00.H29",
) -> HubCall:
    """What the hub hands the adapter for this request, validated as the hub validates it."""
    op = adapter.operations[operation]
    model: BaseModel | None
    if op.request_xml is not None:
        if op.request_model is None or xml is None:
            raise ValueError(f"{operation} takes an XML body: give xml=")
        model = op.request_model.model_validate(xml_to_data(parse_xml(xml), op.request_model))
    else:
        model = op.request_model.model_validate(payload) if op.request_model else None
    parsed_query = op.query_model.model_validate(query or {}) if op.query_model else None
    return HubCall(operation, method, "/", model, parsed_query, caller, "msg-1", body=xml or b"")


async def round_trip(adapter: Adapter, agency: SimulatedAgency, call: HubCall) -> HubReply:
    """Drive ``call`` through ``adapter`` against ``agency``; assert the contract; return the reply."""
    sent: list[NativeRequest] = []

    async def send(request: NativeRequest) -> NativeResponse:
        sent.append(request)
        return await agency.handle(request)

    reply = await drive(adapter.exchange(call), send)
    assert reply.status == 200, f"{call.operation}: the agency answered {reply.status}: {reply.data}"
    if reply.raw is None:
        adapter.operations[call.operation].response_model.model_validate(reply.data)
    assert sent, f"{call.operation}: the adapter sent nothing to the provider"
    wrong = [r.path for r in sent if not r.path.startswith("/") or "://" in r.path]
    assert not wrong, f"{call.operation}: native paths must be relative to the provider, got {wrong}"
    return reply


async def check_garbage_answer(adapter: Adapter, call: HubCall, garbage: bytes, *, passthrough: bool) -> None:
    """Answer ``call`` with ``garbage``: the adapter must raise ``NativeFormatError``; a ``passthrough``
    JSON adapter may instead return what well-formed JSON said."""

    async def send(request: NativeRequest) -> NativeResponse:
        return NativeResponse(200, {}, garbage)

    try:
        reply = await drive(adapter.exchange(call), send)
    except NativeFormatError:
        return
    assert passthrough and garbage.startswith((b"{", b"[")), (
        f"{call.operation}: {garbage!r} was accepted instead of raising NativeFormatError"
    )
    assert reply.data is not None
