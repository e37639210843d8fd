"""The simulated provider of a service registered with an OpenAPI contract and no endpoint.

It answers the operation's first 2xx response: the document's own ``example`` (or first of its
``examples``) when there is one, otherwise a value generated from the response schema. Generation is
seeded by the request (operation, method, path, query and body), so the same request always gets the same
answer; the hub then checks the answer against the response schema like any provider's.

With ``stateful: true`` the provider remembers, in memory and per hub process (a restart forgets, another
worker or replica does not see it), what a POST or PUT creates: the answer, with the request's fields the
response schema names copied in, is kept in its collection (the path: ``/dossiers`` for a POST on
``/dossiers``, for a PUT on ``/dossiers/{id}`` too), at most :data:`MAX_KEPT` objects. A GET on
``/dossiers/{id}`` returns the object of that collection whose field named like the last path parameter
(or ``id``) has that value, a DELETE there removes it (answering the contract's 2xx), both the
contract's 404 (``{"message": ...}`` without one) when there is none; a GET on ``/dossiers`` lists them.

Generation is a small deterministic walker rather than ``hypothesis-jsonschema``: that library's
examples are not reproducible from a seed outside a test, and it is slow for a request path (its
``find`` of one string for ``^\\d{12}$`` took seconds here). A string with a ``pattern`` is built from the
pattern by a small seeded walker over the standard library's regular-expression parser; one it cannot
follow (a negated class, a lookaround) gets plain text, and the contract should then give an ``example``
(the hub reports a generated answer that breaks the schema, as for any provider).
"""

from __future__ import annotations

import hashlib
import random
import re

# The regular-expression parser of the standard library (what hypothesis's from_regex reads, too): its old
# names sre_parse/sre_constants warn since 3.11, and typeshed describes only those.
import re._constants as sre  # type: ignore[import-not-found]
import re._parser as sre_parse  # type: ignore[import-not-found]
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import orjson

from adapters.base import NativeRequest, NativeResponse
from ngsp_sim.sim.base import json_reply
from ngsp_sim.validation.contract import ContractOperation, deref

__all__ = ["MAX_KEPT", "ContractProvider", "ContractState", "example_request", "generate"]

_MAX_DEPTH = 8
MAX_KEPT = 1000
"""The most objects a stateful collection keeps (per hub process, in memory); the oldest go first."""


@dataclass
class ContractState:
    """What a provider subsystem's stateful contract services created: collection path -> objects."""

    collections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _deref(document: Any, schema: Any) -> Any:
    try:
        return deref(document, schema)
    except KeyError:  # a cycle of bare $refs: nothing to generate
        return {}


_FORMATS = {
    "date": lambda r: f"20{r.randint(20, 26)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
    "date-time": lambda r: f"20{r.randint(20, 26)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}T08:30:00Z",
    "email": lambda r: f"nguoidung{r.randint(1, 999)}@example.gov.vn",
    "uuid": lambda r: str(uuid.UUID(int=r.getrandbits(128), version=4)),
    "uri": lambda r: f"https://example.gov.vn/{r.randint(1, 999)}",
}


_CATEGORIES = {
    sre.CATEGORY_DIGIT: "0123456789",
    sre.CATEGORY_WORD: "abcdefghijklmnopqrstuvwxyz",
    sre.CATEGORY_SPACE: " ",
}


def _from_regex(parsed: Any, rng: random.Random) -> str:
    """A string matching a parsed regular expression: each repeat at its least (once for ``*``), the
    first branch, a seeded character of each class. Lookarounds and back references are not tried."""
    out = []
    for op, arg in parsed:
        if op is sre.LITERAL:
            out.append(chr(arg))
        elif op is sre.ANY:
            out.append(rng.choice("abcdefghij"))
        elif op is sre.IN:
            choices = ""
            for kind, value in arg:
                if kind is sre.LITERAL:
                    choices += chr(value)
                elif kind is sre.RANGE:
                    choices += "".join(map(chr, range(value[0], min(value[1], value[0] + 25) + 1)))
                elif kind is sre.CATEGORY:
                    choices += _CATEGORIES.get(value, "")
                elif kind is sre.NEGATE:
                    raise ValueError("a negated class")
            out.append(rng.choice(choices or "a"))
        elif op is sre.CATEGORY:
            out.append(rng.choice(_CATEGORIES.get(arg, "a")))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            least, _, inner = arg
            out.extend(_from_regex(inner, rng) for _ in range(max(least, 1)))
        elif op is sre.SUBPATTERN:
            out.append(_from_regex(arg[-1], rng))
        elif op is sre.BRANCH:
            out.append(_from_regex(arg[1][0], rng))
        elif op is not sre.AT:
            raise ValueError(f"{op} is not generated")
    return "".join(out)


def _matching(pattern: str, rng: random.Random) -> str | None:
    try:
        candidate = _from_regex(sre_parse.parse(pattern), rng)
    except (ValueError, TypeError, re.error):
        return None
    return candidate if re.search(pattern, candidate) else None


def _string(schema: dict[str, Any], rng: random.Random) -> str:
    if schema.get("format") in _FORMATS:
        return str(_FORMATS[schema["format"]](rng))
    low, high = int(schema.get("minLength", 1)), int(schema.get("maxLength", 12))
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and (found := _matching(pattern, rng)) is not None:
        return found
    text = "chuoi" + str(rng.randint(100, 999))
    return (text * (low // len(text) + 1))[: max(low, min(len(text), high))]


def _number(schema: dict[str, Any], rng: random.Random, integer: bool) -> int | float:
    low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
    high = schema.get("maximum", schema.get("exclusiveMaximum", low + 1000))
    if isinstance(schema.get("exclusiveMinimum"), (int, float)) and not isinstance(
        schema.get("exclusiveMinimum"), bool
    ):
        low += 1
    if isinstance(schema.get("exclusiveMaximum"), (int, float)) and not isinstance(
        schema.get("exclusiveMaximum"), bool
    ):
        high -= 1
    if integer:
        return rng.randint(int(low), max(int(low), int(high)))
    return round(rng.uniform(float(low), float(max(low, high))), 2)


def generate(document: Any, schema: Any, rng: random.Random, depth: int = 0) -> Any:
    """A value of ``schema`` (a JSON schema of ``document``): its example, const, enum or default when it
    gives one, otherwise built from its type, every property included."""
    schema = _deref(document, schema)
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return None
    for key in ("example", "const", "default"):
        if key in schema:
            return schema[key]
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return schema["examples"][0]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return rng.choice(schema["enum"])
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = generate(document, part, rng, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    for key in ("oneOf", "anyOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            return generate(document, schema[key][0], rng, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
    if kind == "object":
        props = schema.get("properties") or {}
        return {name: generate(document, sub, rng, depth + 1) for name, sub in props.items()}
    if kind == "array":
        count = max(int(schema.get("minItems", 1)), 1)
        return [generate(document, schema.get("items", {}), rng, depth + 1) for _ in range(count)]
    if kind in ("integer", "number"):
        return _number(schema, rng, kind == "integer")
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "null":
        return None
    return _string(schema, rng)


class ContractProvider:
    """Answers one contract service in-process (the hub's :class:`InProcessTransport` calls
    :meth:`handle`); ``state`` is shared by the stateful services of one provider subsystem."""

    def __init__(self, contract: ContractOperation, state: ContractState | None = None) -> None:
        self.contract = contract
        self.state = state

    async def handle(self, request: NativeRequest) -> NativeResponse:
        contract = self.contract
        values = contract.path_values(request.path) or {}
        body = _object(request.body)
        if self.state is not None and contract.method == "GET" and values:
            return self._read(self.state, request.path, values)
        if self.state is not None and contract.method == "DELETE" and values:
            return self._delete(self.state, request.path, values)
        success = contract.success()
        if success is None:
            return json_reply({"message": f"{contract.operation_id} declares no 2xx response"}, 501)
        if success.schema is None and not success.examples:
            return NativeResponse(success.status, {}, b"")
        if success.examples:
            answer = success.examples[0]
        else:
            answer = generate(contract.document, success.schema, random.Random(_seed(request)))
        if self.state is not None and contract.method in ("POST", "PUT") and isinstance(answer, dict):
            answer = self._keep(self.state, request.path, values, answer, body)
        elif self.state is not None and contract.method == "GET":  # the collection itself: what it holds
            answer = _listed(contract.document, success.schema, answer, self.state.collections.get(request.path, []))
        return json_reply(answer, success.status)

    def _keep(
        self, state: ContractState, path: str, values: dict[str, str], answer: dict[str, Any], body: Any
    ) -> dict[str, Any]:
        success = self.contract.success()
        props = _deref(self.contract.document, success.schema if success else None)
        named = set((props or {}).get("properties") or {}) if isinstance(props, dict) else set()
        kept = dict(answer)
        if isinstance(body, dict):
            kept.update({k: v for k, v in body.items() if k in named})
        collection = path
        if values:  # a PUT on /dossiers/{id}: the collection is /dossiers, the id the last parameter
            name, value = list(values.items())[-1]
            collection = path.rsplit("/", 1)[0] or "/"
            if name in named:
                kept[name] = value
        items = state.collections.setdefault(collection, [])
        key = _identity(kept, values)
        items[:] = [item for item in items if key is None or _identity(item, values) != key]
        items.append(kept)
        del items[:-MAX_KEPT]  # the oldest go first: memory stays bounded
        return kept

    def _read(self, state: ContractState, path: str, values: dict[str, str]) -> NativeResponse:
        collection, found = _find(state, path, values)
        if found is None:
            return self._missing(path, collection)
        return json_reply(state.collections[collection][found], 200)

    def _delete(self, state: ContractState, path: str, values: dict[str, str]) -> NativeResponse:
        """Removes the object, answering the contract's 2xx (204 without a body, or its example)."""
        collection, found = _find(state, path, values)
        if found is None:
            return self._missing(path, collection)
        del state.collections[collection][found]
        success = self.contract.success()
        if success is None or (success.schema is None and not success.examples):
            return NativeResponse(success.status if success else 204, {}, b"")
        answer = (
            success.examples[0]
            if success.examples
            else generate(self.contract.document, success.schema, random.Random(0))
        )
        return json_reply(answer, success.status)

    def _missing(self, path: str, collection: str) -> NativeResponse:
        """The contract's 404 example, or ``{"message": ...}`` without one."""
        missing = self.contract.response(404)
        value = path.rsplit("/", 1)[-1]
        answer = missing.examples[0] if missing and missing.examples else {"message": f"no {value} in {collection}"}
        return json_reply(answer, 404)


def _find(state: ContractState, path: str, values: dict[str, str]) -> tuple[str, int | None]:
    """The collection of ``path`` (``/dossiers`` for ``/dossiers/{id}``) and the index of the object whose
    field named like the last path parameter (or ``id``) has that parameter's value."""
    name, value = list(values.items())[-1]
    collection = path.rsplit("/", 1)[0] or "/"
    for index, item in enumerate(state.collections.get(collection, [])):
        if str(item.get(name, item.get("id"))) == value:
            return collection, index
    return collection, None


def _listed(document: Any, schema: Any, answer: Any, items: list[dict[str, Any]]) -> Any:
    """The answer of a GET on a collection: the objects it holds, as the response schema wants them (the
    array itself, or an object's one array property; anything else is answered as it was generated)."""
    schema = _deref(document, schema)
    if isinstance(answer, list):
        return list(items)
    if isinstance(answer, dict) and isinstance(schema, dict):
        props = schema.get("properties") or {}
        arrays = [k for k, sub in props.items() if (_deref(document, sub) or {}).get("type") == "array"]
        if len(arrays) == 1:
            return {**answer, arrays[0]: list(items)}
    return answer


def _identity(item: dict[str, Any], values: dict[str, str]) -> str | None:
    names = [*list(values)[-1:], "id"]
    return next((str(item[n]) for n in names if n in item), None)


def _object(body: bytes) -> Any:
    try:
        return orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return None


def _seed(request: NativeRequest) -> int:
    canonical = orjson.dumps(
        [request.method, request.path, sorted(request.query), _object(request.body)], option=orjson.OPT_SORT_KEYS
    )
    return int.from_bytes(hashlib.sha256(canonical).digest()[:8], "big")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def example_request(contract: ContractOperation) -> tuple[Any, dict[str, str], str]:
    """A valid request of ``contract`` (the dashboard's try-it panel): the JSON body (None without one),
    the query parameters and the path below the service, generated from the document's schemas."""
    rng = random.Random(0)
    document = contract.document
    body = None if contract.request_schema is None else generate(document, contract.request_schema, rng)
    query = {p.name: _text(generate(document, p.schema, rng)) for p in contract.parameters if p.where == "query"}
    path = contract.path
    for p in contract.parameters:
        if p.where == "path":
            path = path.replace("{" + p.name + "}", quote(_text(generate(document, p.schema, rng)), safe=""))
    return body, query, path
