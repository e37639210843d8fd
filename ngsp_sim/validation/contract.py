"""An integrator's OpenAPI 3.x document as the contract of one service (``contract:`` + ``operation:``).

:func:`read_contract` checks the document once, when it is registered: OpenAPI 3.0 or 3.1, at most
:data:`MAX_CONTRACT_BYTES`, every ``$ref`` local (``#/...``) and pointing at something, the operation
present. A :class:`ContractOperation` then checks requests and answers with ``openapi-schema-validator``
(the python-openapi project's JSON Schema validators for OpenAPI: 3.0's ``nullable`` and its draft-4
dialect, 3.1's JSON Schema 2020-12), every violation at once and reported at JSON pointers as the
built-in services' are (``missing``, ``extra_forbidden``, a type as the JSON type expected and the one
that came). As for built-in services an integer is strict: ``10.0`` is not one.

The checks are offered as pydantic models too (:meth:`ContractOperation.models`), so that the hub's
pipeline (which reads every operation through its models) carries a contract service unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import orjson
from jsonschema import ValidationError as SchemaError
from jsonschema.protocols import Validator
from jsonschema.validators import extend
from openapi_schema_validator import OAS30Validator, OAS31Validator, oas30_format_checker, oas31_format_checker
from pydantic import BaseModel, ConfigDict, RootModel, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError
from pydantic_core import ValidationError as PydanticError

from ngsp_sim.errors import ContractError
from ngsp_sim.validation.payload import json_pointer, json_type

__all__ = ["MAX_CONTRACT_BYTES", "ContractError", "ContractOperation", "Problem", "deref", "read_contract"]

MAX_CONTRACT_BYTES = 1024 * 1024
"""The largest contract document accepted (as compact JSON): a real agency's document is far smaller."""
METHODS = ("get", "put", "post", "delete", "patch")
Problem = tuple[tuple[int | str, ...], str, str]
"""(location inside the checked value, rule, message): one violation before it is given its side."""


def _strict_integer(checker: Any, instance: Any) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


def _strict(cls: Any) -> Any:
    """``cls`` with an integer as strict as the built-in services': ``10.0`` is not one."""
    return extend(cls, type_checker=cls.TYPE_CHECKER.redefine("integer", _strict_integer))  # type: ignore[no-untyped-call]


_OAS30, _OAS31 = _strict(OAS30Validator), _strict(OAS31Validator)

_EXPECTED = {
    "integer": 'an integer (digits only, no fraction or exponent: 10, not 10.0, 1e1 or "10")',
    "boolean": 'a boolean (true or false, not 1 or "true")',
    "number": "a number (not a string or a boolean)",
    "string": "a string",
    "array": "an array",
    "object": "an object",
    "null": "null",
}
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
_MISSING = "required field is missing"
_EXTRA = "unknown field: not part of this payload's schema (check the spelling and case)"


def _refs(node: Any, at: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield at, value
            else:
                yield from _refs(value, f"{at}/{json_pointer((key,))[1:]}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _refs(value, f"{at}/{i}")


def _pointed(document: Any, ref: str) -> Any:
    """What the local ``ref`` (``#/components/schemas/X``) points at; KeyError when nothing."""
    node = document
    for part in ref[2:].split("/") if ref != "#" else ():
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise KeyError(ref)
    return node


def deref(document: Any, node: Any) -> Any:
    """``node`` with its own ``$ref`` followed (a parameter, request body or response may be one)."""
    for _ in range(32):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            return node
        node = _pointed(document, node["$ref"])
    raise KeyError("a $ref cycle")


@dataclass(frozen=True, slots=True)
class ContractResponse:
    status: int
    schema: Any | None
    """The JSON schema of the application/json content, None when there is none."""
    examples: tuple[Any, ...]
    """The content's ``example`` or every ``examples`` value, in the document's order."""


@dataclass(frozen=True, slots=True)
class ContractModels:
    """The models of one operation's checks (see :meth:`ContractOperation.models`)."""

    request: type[BaseModel] | None
    query: type[BaseModel] | None
    path: type[BaseModel]
    response: type[BaseModel]
    header: type[BaseModel] | None


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    where: str
    required: bool
    schema: Any


class ContractOperation:
    """One operation of a registered document; equal only to itself (the registry holds it)."""

    def __init__(self, document: Mapping[str, Any], operation_id: str, path: str, method: str, op: Any) -> None:
        self.document = document
        self.operation_id = operation_id
        self.path = path
        self.method = method.upper()
        self.summary = str(op.get("summary") or op.get("description") or operation_id)
        self.version: Literal["3.0", "3.1"] = "3.1" if str(document["openapi"]).startswith("3.1") else "3.0"
        declared = [*document["paths"][path].get("parameters", []), *op.get("parameters", [])]
        params: dict[tuple[str, str], Parameter] = {}
        for raw in declared:
            p = deref(document, raw)
            params[(p["name"], p["in"])] = Parameter(p["name"], p["in"], bool(p.get("required")), p.get("schema", {}))
        self.parameters = tuple(params.values())
        body = deref(document, op.get("requestBody")) if op.get("requestBody") else None
        self.request_schema = _json_schema(body)
        self.body_required = bool(body and body.get("required"))
        responses = []
        for status, raw in (op.get("responses") or {}).items():
            if str(status).isdigit():
                response = deref(document, raw)
                media = (response.get("content") or {}).get("application/json") or {}
                responses.append(ContractResponse(int(status), media.get("schema"), _examples(document, media)))
        self.responses = tuple(sorted(responses, key=lambda r: r.status))
        self._segments = [s for s in path.split("/") if s]
        self._validators: dict[str, Validator] = {}
        self._models: ContractModels | None = None

    def success(self) -> ContractResponse | None:
        """The first 2xx response the operation declares (what a simulated provider answers)."""
        return next((r for r in self.responses if 200 <= r.status < 300), None)

    def response(self, status: int) -> ContractResponse | None:
        return next((r for r in self.responses if r.status == status), None)

    # -- checks ---------------------------------------------------------------------------------------

    def _validator(self, schema: Any) -> Validator:
        key = orjson.dumps(schema, option=orjson.OPT_SORT_KEYS).decode()
        if key not in self._validators:
            cls, formats = (_OAS31, oas31_format_checker) if self.version == "3.1" else (_OAS30, oas30_format_checker)
            # The schema is checked as part of the whole document, so its local $refs resolve.
            root = {**self.document, "$ref": "#/x-ngsp-checked", "x-ngsp-checked": schema}
            self._validators[key] = cls(root, format_checker=formats)
        return self._validators[key]

    def check(self, schema: Any, value: Any) -> list[Problem]:
        """Every problem of ``value`` against ``schema`` (a JSON schema of this document)."""
        if schema is None:
            return []
        problems: list[Problem] = []
        for error in sorted(self._validator(schema).iter_errors(value), key=lambda e: list(map(str, e.path))):
            problems += _problems(error)
        return problems

    def check_body(self, value: Any) -> list[Problem]:
        return self.check(self.request_schema, value)

    def check_response(self, value: Any) -> list[Problem]:
        success = self.success()
        return self.check(success.schema if success else None, value)

    def read_parameters(self, where: str, given: Mapping[str, str]) -> tuple[dict[str, Any], list[Problem]]:
        """The ``query``, ``path`` or ``header`` parameters as typed values (a number in a URL is its digits), and
        every problem: a required one missing, one that breaks its schema."""
        values: dict[str, Any] = dict(given)
        problems: list[Problem] = []
        for p in self.parameters:
            if p.where != where:
                continue
            if p.name not in given:
                if p.required:
                    problems.append(((p.name,), "missing", _MISSING))
                continue
            values[p.name] = value = _typed(given[p.name], deref(self.document, p.schema))
            problems += [((p.name, *loc), rule, message) for loc, rule, message in self.check(p.schema, value)]
        return values, problems

    def path_values(self, rest: str) -> dict[str, str] | None:
        """The path parameters of ``rest`` (the path below the service) when it is this operation's path
        (``/dossiers/H29-1`` for ``/dossiers/{id}``); ``/`` stands for a path without parameters."""
        parts = [s for s in rest.split("/") if s]
        if not parts and "{" not in self.path:
            return {}
        if len(parts) != len(self._segments):
            return None
        values = {}
        for part, segment in zip(parts, self._segments, strict=True):
            if segment.startswith("{") and segment.endswith("}"):
                values[segment[1:-1]] = part
            elif part != segment:
                return None
        return values

    def check_path(self, rest: str) -> tuple[dict[str, Any], list[Problem]]:
        values = self.path_values(rest)
        if values is None:
            return {}, [((), "path", f"expected the path {self.path} (operation {self.operation_id}), got {rest}")]
        return self.read_parameters("path", values)

    def header_values(self, headers: Mapping[str, str]) -> dict[str, str]:
        """The header parameters the operation declares, found in ``headers`` whatever their case."""
        lowered = {k.lower(): v for k, v in headers.items()}
        return {p.name: lowered[p.name.lower()] for p in self.header_parameters() if p.name.lower() in lowered}

    def header_parameters(self) -> tuple[Parameter, ...]:
        """The ``in: header`` parameters (OpenAPI ignores ones named Accept, Content-Type, Authorization)."""
        return tuple(p for p in self.parameters if p.where == "header" and p.name.lower() not in _IGNORED_HEADERS)

    def models(self) -> ContractModels:
        """The models that run these checks, for the hub's pipeline (made once: a model is a class, and
        the published documents name it)."""
        if self._models is None:
            self._models = self._make_models()
        return self._models

    def _make_models(self) -> ContractModels:
        name = re.sub(r"\W", "_", self.operation_id)
        success = self.success()
        request = None
        if self.request_schema is not None:
            request = _model(f"{name}Request", self.check_body, _inlined(self.document, self.request_schema))
        query = None
        if any(p.where == "query" for p in self.parameters):
            query = _model(f"{name}Query", lambda v: self.read_parameters("query", v)[1], {"type": "object"})
        path = _model(f"{name}Path", lambda v: self.check_path(v)[1], {"type": "string"})
        header = None
        if self.header_parameters():

            def headers(given: Mapping[str, str]) -> list[Problem]:
                return self.read_parameters("header", self.header_values(given))[1]

            header = _model(f"{name}Headers", headers, {"type": "object"})
        schema = _inlined(self.document, success.schema) if success and success.schema is not None else {}
        return ContractModels(request, query, path, _model(f"{name}Response", self.check_response, schema), header)


def _json_schema(body: Any) -> Any:
    media = ((body or {}).get("content") or {}).get("application/json")
    return media.get("schema", {}) if isinstance(media, dict) else None


def _examples(document: Any, media: Mapping[str, Any]) -> tuple[Any, ...]:
    if "example" in media:
        return (media["example"],)
    found = []
    for example in (media.get("examples") or {}).values():
        example = deref(document, example)
        if isinstance(example, dict) and "value" in example:
            found.append(example["value"])
    return tuple(found)


def _typed(text: str, schema: Any) -> Any:
    """A parameter's text as the JSON value its schema's type takes, when it reads as one."""
    kind = schema.get("type") if isinstance(schema, dict) else None
    try:
        if kind == "integer" and re.fullmatch(r"-?\d+", text):
            return int(text)
        if kind == "number":
            return float(text) if "." in text or "e" in text.lower() else int(text)
        if kind == "boolean" and text in ("true", "false"):
            return text == "true"
    except ValueError:
        pass
    return text


def _problems(error: SchemaError) -> list[Problem]:
    at = tuple(error.absolute_path)
    instance, schema = error.instance, error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "required" and isinstance(instance, dict):
        return [((*at, name), "missing", _MISSING) for name in schema.get("required", []) if name not in instance]
    if error.validator in ("additionalProperties", "unevaluatedProperties") and isinstance(instance, dict):
        known = set(schema.get("properties", {}))
        patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
        extra = [k for k in instance if k not in known and not any(p.search(k) for p in patterns)]
        return [((*at, k), "extra_forbidden", _EXTRA) for k in extra]
    if error.validator == "type":
        kinds = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        expected = " or ".join(_EXPECTED.get(str(k), str(k)) for k in kinds)
        return [(at, "type", f"expected {expected}, got {json_type(instance)}")]
    return [(at, str(error.validator), error.message)]


def _model(name: str, check: Any, schema: Any) -> type[BaseModel]:
    """A root model of any JSON value whose validation is ``check`` (returning problems)."""

    def after(self: RootModel[Any]) -> RootModel[Any]:
        problems = check(self.root)
        if problems:
            details = [
                InitErrorDetails(type=PydanticCustomError(rule, "{message}", {"message": text}), loc=loc, input=0)
                for loc, rule, text in problems
            ]
            raise PydanticError.from_exception_data(name, details)
        return self

    config = ConfigDict(json_schema_extra=schema if isinstance(schema, dict) else None)
    namespace = {"model_config": config, "_check": model_validator(mode="after")(after), "__module__": __name__}
    model: type[BaseModel] = type(name, (RootModel[Any],), namespace)
    return model


def _inlined(document: Any, schema: Any, seen: frozenset[str] = frozenset()) -> Any:
    """``schema`` with its local $refs replaced by what they point at (a recursive one by ``{}``), for a
    document that has no ``components`` of its own (the hub's generated description of the service)."""
    if isinstance(schema, list):
        return [_inlined(document, item, seen) for item in schema]
    if not isinstance(schema, dict):
        return schema
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return {} if ref in seen else _inlined(document, _pointed(document, ref), seen | {ref})
    return {key: _inlined(document, value, seen) for key, value in schema.items() if key != "nullable"}


def read_contract(document: Any, operation_id: str, *, max_bytes: int = MAX_CONTRACT_BYTES) -> ContractOperation:
    """The operation ``operation_id`` of ``document``, checked; :class:`ContractError` says every reason
    it cannot be used (not OpenAPI 3.x, too large, a $ref outside the document or to nothing, no such
    operation)."""
    if not isinstance(document, dict):
        raise ContractError(["the contract is not an OpenAPI document (a JSON or YAML object)"])
    size = len(orjson.dumps(document, default=str))
    problems = []
    if size > max_bytes:
        problems.append(f"the contract is {size} bytes as JSON; the limit is {max_bytes}")
    if not re.match(r"^3\.[01]\.\d+", str(document.get("openapi", ""))):
        problems.append(f"openapi: expected an OpenAPI 3.0 or 3.1 document, got {document.get('openapi')!r}")
    if not isinstance(document.get("paths"), dict):
        problems.append("paths: the document has no paths")
    for at, ref in _refs(document):
        if not isinstance(ref, str) or not ref.startswith("#"):
            problems.append(
                f"{at}/$ref: {ref!r} points outside the document; only local references (#/...) are read, "
                "never a file or the network: bundle the document first (e.g. redocly bundle)"
            )
            continue
        try:
            _pointed(document, ref)
        except KeyError:
            problems.append(f"{at}/$ref: {ref!r} points at nothing in the document")
    if problems:
        raise ContractError(problems)
    found = []
    for path, item in document["paths"].items():
        for method, op in (item or {}).items() if isinstance(item, dict) else ():
            if method in METHODS and isinstance(op, dict) and op.get("operationId"):
                found.append(op["operationId"])
                if op["operationId"] == operation_id:
                    try:
                        return ContractOperation(document, operation_id, path, method, op)
                    except (KeyError, TypeError, AttributeError) as exc:
                        raise ContractError([f"operation {operation_id}: cannot be read ({exc!r})"]) from None
    known = ", ".join(sorted(found)) or "none"
    raise ContractError([f"the contract has no operation {operation_id!r}; its operationIds: {known}"])
