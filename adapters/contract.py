"""The adapter of a service whose provider is described by an integrator's OpenAPI document.

Its operation is built from the document (:class:`~ngsp_sim.validation.contract.ContractOperation`):
the hub validates against the contract with the same pipeline as for every built-in service. The
native protocol is the contract's own REST/JSON: the client's path below the service is the provider's
path (``/dossiers/H29-1`` for ``/dossiers/{id}``, as X-Road appends it to a REST service's base URL), and
the body goes on exactly as it was sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar

from adapters.base import Adapter, Exchange, HubCall, HubReply, NativeRequest, Operation
from adapters.json_rest import decode_json
from ngsp_sim.validation.contract import ContractOperation

__all__ = ["CONTRACT_ADAPTER", "ContractAdapter", "contract_operation"]

CONTRACT_ADAPTER = "contract"
"""The adapter name of a service registered with ``contract:`` (it needs no ``adapter:``)."""


def contract_operation(contract: ContractOperation) -> Operation:
    """The hub's :class:`Operation` for ``contract``: its checks as models, its one method."""
    models = contract.models()
    return Operation(
        contract.operation_id,
        frozenset({contract.method}),
        models.response,
        models.request,
        models.query,
        contract.summary,
        path_model=models.path,
        body_optional=models.request is not None and not contract.body_required,
        header_model=models.header,
    )


class ContractAdapter(Adapter):
    """One per contract service: unlike a protocol adapter, what it carries comes from the document."""

    name: ClassVar[str] = CONTRACT_ADAPTER
    operations: ClassVar[Mapping[str, Operation]] = MappingProxyType({})
    """None of its own: :attr:`operation` is the service's (see :func:`contract_operation`)."""

    def __init__(self, contract: ContractOperation, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        self.contract = contract
        self.operation = contract_operation(contract)

    def exchange(self, call: HubCall) -> Exchange:
        query: tuple[tuple[str, str], ...] = ()
        if call.query is not None:
            # the parameters as the client sent them (text): the contract's model checks, never converts
            query = tuple((k, str(v)) for k, v in call.query.model_dump(mode="json", warnings=False).items())
        headers = {"Accept": "application/json", **self.contract.header_values(call.headers)}
        if call.body.strip():
            headers["Content-Type"] = "application/json"
        path = self.contract.path if call.path == "/" else call.path
        native = yield NativeRequest(call.method, path, query=query, headers=headers, body=call.body)
        if not native.body:
            return HubReply(native.status, None)
        return HubReply(native.status, decode_json(native.body))
