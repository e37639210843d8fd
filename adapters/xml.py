"""Model-driven conversion between JSON-like data and namespaced XML, parsed safely.

Writing is plain string rendering with escaping (several times faster than building an ElementTree);
reading is guided by the pydantic model, which says which children repeat (``list[...]``) and which
nest (a model), so one pair of functions serves every XML protocol: SOAP bodies here, edXML later.
Parsing goes through libxml2 (lxml) hardened against every XML attack: entities are never expanded
(``resolve_entities=False``), no DTD is loaded, nothing is fetched (``no_network``), XInclude is never
processed, libxml2's default limits stay on (``huge_tree=False``: at most 256 levels of nesting, no huge
text nodes), and a document that carries a DOCTYPE at all is refused. A document libxml2 refuses, or one
with a DOCTYPE, is read again by defusedxml (expat, ``forbid_dtd``) for the answer, so integrators get
the same messages as before (``XML refused for safety: DTDForbidden``, ``not well-formed XML: ...``):
an XML bomb or an XXE payload from a provider is a :class:`NativeFormatError`, not a hang or a file
leak. libxml2 parses ~4x faster than defusedxml's pure-Python tree builder (docs/performance.md).
"""

from __future__ import annotations

import functools
import re
import threading
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from xml.sax.saxutils import escape

import defusedxml.ElementTree as safe_et
from defusedxml import DefusedXmlException
from lxml import etree
from pydantic import BaseModel

from adapters.base import NativeFormatError

__all__ = [
    "NOT_XML",
    "XML_TEXT_PATTERN",
    "Element",
    "as_read",
    "in_model_order",
    "not_xml_chars",
    "parse_xml",
    "render_xml",
    "xml_text",
    "xml_to_data",
]


class Element(Protocol):
    """What :func:`parse_xml` returns (an lxml element, or an ElementTree one, alike for what is used):
    iterate it for its children; ``tag`` is ``{namespace}local``; comments and processing instructions
    are not children."""

    @property
    def tag(self) -> str: ...

    @property
    def text(self) -> str | None: ...

    def __iter__(self) -> Iterator[Element]: ...

    def __len__(self) -> int: ...

    def __getitem__(self, index: int) -> Element: ...

    def find(self, path: str) -> Element | None: ...

    def findtext(self, path: str) -> str | None: ...


_parsers = threading.local()  # an lxml parser must not be shared between threads (the embedded hub has its own)


def _parser() -> etree.XMLParser:
    parser: etree.XMLParser | None = getattr(_parsers, "parser", None)
    if parser is None:
        parser = _parsers.parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,  # as ElementTree: comments and processing instructions are not children
            remove_pis=True,
            collect_ids=False,
        )
    return parser


def parse_xml(body: bytes) -> Element:
    """Parse untrusted XML; any refusal or syntax error becomes :class:`NativeFormatError`."""
    try:
        root, reason = etree.fromstring(body, _parser()), ""
    except (etree.XMLSyntaxError, ValueError) as exc:
        root, reason = None, str(exc)
    if root is not None and root.getroottree().docinfo.doctype == "":
        return typing.cast(Element, root)
    _refuse(body)  # a DOCTYPE, or libxml2 refused it: expat says why, in the words integrators know
    raise NativeFormatError(f"XML refused for safety: beyond the parser's limits ({reason})")


def _refuse(body: bytes) -> None:
    """Raise the :class:`NativeFormatError` defusedxml gives ``body`` (expat refuses any DOCTYPE before
    reading on). Returns only when expat accepts what libxml2 did not: beyond libxml2's limits."""
    try:
        safe_et.fromstring(body, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise NativeFormatError(f"XML refused for safety: {type(exc).__name__}") from None
    except safe_et.ParseError as exc:
        raise NativeFormatError(f"not well-formed XML: {exc}") from None


NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""A character XML 1.0 cannot carry, not even as a character reference (``&#16;`` is not well-formed):
a control character other than tab, line feed and carriage return, a lone surrogate, U+FFFE, U+FFFF."""


XML_TEXT_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]*$"
"""The rule of :data:`NOT_XML` as a JSON Schema ``pattern`` (lone surrogates aside: the hub's JSON reader
refuses them before any schema check)."""


def not_xml_chars(text: str) -> list[str]:
    """The characters of ``text`` XML cannot carry, as ``U+0010``, each once, in order."""
    return list(dict.fromkeys(f"U+{ord(c):04X}" for c in NOT_XML.findall(text)))


def xml_text(text: str) -> str:
    """``text`` fit for an XML document the hub writes: each character XML cannot carry written as
    its JSON escape (``\\u0010``), so the document stays well-formed and still shows what came."""
    return NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text) if NOT_XML.search(text) else text


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_KEPT, _KEPT_LENGTH = 10_000, 200
"""The name caches below keep at most this many names of at most this length: names come from
documents and bodies others send, so what is kept is bounded however many or long they are."""
_TAGS: dict[str, dict[str, tuple[str, str]]] = {}  # prefix -> wire name -> (open, close); names are few


def _tags(prefix: str) -> dict[str, tuple[str, str]]:
    return _TAGS.setdefault(prefix, {})


def _new_tags(tags: dict[str, tuple[str, str]], prefix: str, key: str) -> tuple[str, str]:
    """``<prefix:key>`` and ``</prefix:key>``, each wire name checked once (while it is kept)."""
    if not _NAME.fullmatch(key):
        raise ValueError(f"{key!r} cannot be an XML element name")
    pair = (f"<{prefix}:{key}>", f"</{prefix}:{key}>")
    if len(tags) < _KEPT and len(key) <= _KEPT_LENGTH:
        tags[key] = pair
    return pair


_CR = {"\r": "&#13;"}
"""A carriage return written as a character reference: a parser turns a literal one (and CR LF) into a
line feed (XML 1.0 2.11), so the provider would read other text than the hub checked."""


def render_xml(parts: list[str], data: Mapping[str, Any], prefix: str) -> None:
    """Append ``data`` (a dict from ``model_dump``) as XML text to ``parts``: lists repeat the
    element, dicts nest, ``None`` is left out, booleans are ``true``/``false``. Element names are the
    wire names; anything else that could not be an XML name is refused rather than written."""
    append = parts.append
    tags = _tags(prefix)
    for key, value in data.items():
        opening, closing = tags.get(key) or _new_tags(tags, prefix, key)
        for item in value if isinstance(value, list) else (value,):
            if item is None:
                continue
            append(opening)
            if isinstance(item, dict):
                render_xml(parts, item, prefix)
            else:
                text = _written_text(item)
                # Printable text holds no control character, lone surrogate or non-character (all that
                # XML cannot carry): without markup it is written as it is. Text with a tab or a
                # no-break space (not "printable") takes the exact path.
                if text.isprintable() and "&" not in text and "<" not in text and ">" not in text:
                    append(text)
                elif NOT_XML.search(text):  # the hub refuses such payloads first: this is a guard
                    raise ValueError(f"{key}: {', '.join(not_xml_chars(text))} cannot be carried in XML")
                else:
                    append(escape(text, _CR))
            append(closing)


def _unwrap(annotation: Any) -> tuple[bool, Any]:
    """(is_list, inner type) for ``X``, ``X | None``, ``list[X]``, ``list[X] | None``."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else (False, str)
    if origin is list:
        return True, typing.get_args(annotation)[0]
    return False, annotation


_TEXT, _BOOL, _INT, _FLOAT, _MODEL = range(5)


@dataclass(frozen=True, slots=True)
class _Field:
    repeats: bool
    kind: int
    """How a child's text is read: as text, a boolean, an integer, a number, or (``_MODEL``) its children."""
    model: type[BaseModel] | None


@dataclass(frozen=True, slots=True)
class _Plan:
    """What reading and ordering need of a model, computed once per model."""

    fields: dict[str, _Field]
    lists: tuple[str, ...]
    """The repeating fields (an absent one reads as ``[]``)."""
    nested: tuple[tuple[str, type[BaseModel]], ...]
    """The fields holding models, in field order."""


def _field(annotation: Any) -> _Field:
    repeats, inner = _unwrap(annotation)
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        return _Field(repeats, _MODEL, inner)
    kind = {bool: _BOOL, int: _INT, float: _FLOAT}.get(inner, _TEXT) if isinstance(inner, type) else _TEXT
    return _Field(repeats, kind, None)


@functools.cache
def _plan(model: type[BaseModel]) -> _Plan:
    fields = {name: _field(info.annotation) for name, info in model.model_fields.items()}
    lists = tuple(name for name, f in fields.items() if f.repeats)
    nested = tuple((name, f.model) for name, f in fields.items() if f.model is not None)
    return _Plan(fields, lists, nested)


_UNKNOWN = _Field(False, _TEXT, None)
_LOCAL: dict[str, str] = {}  # ``{namespace}local`` -> ``local``; tags are few


def _local(tag: str) -> str:
    local = _LOCAL.get(tag)
    if local is None:
        local = tag.rsplit("}", 1)[-1]
        if len(_LOCAL) < _KEPT and len(tag) <= _KEPT_LENGTH:
            _LOCAL[tag] = local
    return local


def xml_to_data(element: Element, model: type[BaseModel]) -> dict[str, Any]:
    """Read ``element``'s children into a dict shaped by ``model``. Unknown children are kept as
    text so that schema validation, not this reader, reports them."""
    plan = _plan(model)
    fields = plan.fields
    out: dict[str, Any] = {}
    for child in element:
        name = _local(child.tag)
        field = fields.get(name, _UNKNOWN)
        if field.kind == _MODEL:
            _put(out, name, field, xml_to_data(child, field.model))  # type: ignore[arg-type]
        else:
            _put(out, name, field, _read_text(child.text or "", field.kind))
    return _with_lists(out, plan)


def _put(out: dict[str, Any], name: str, field: _Field, value: Any) -> None:
    if field.repeats:
        out.setdefault(name, []).append(value)
    else:
        out[name] = value


def _with_lists(out: dict[str, Any], plan: _Plan) -> dict[str, Any]:
    """``out`` with every repeating field present: an absent one reads as ``[]``."""
    for name in plan.lists:
        out.setdefault(name, [])
    return out


def _read_text(text: str, kind: int) -> Any:
    """A child's text as :func:`xml_to_data` reads it for a field of ``kind`` (not ``_MODEL``)."""
    if kind == _TEXT:
        return text
    stripped = text.strip()
    if kind == _BOOL:
        return stripped.lower() == "true"
    if kind == _INT:
        return int(stripped) if stripped.lstrip("-").isdigit() else stripped
    try:
        return float(stripped)
    except ValueError:
        return stripped


def _written_text(item: Any) -> str:
    """The text :func:`render_xml` writes for one value (before escaping), as a parser gives it back (a
    nested dict has no text of its own): booleans ``true``/``false``, anything else its ``str``."""
    if isinstance(item, dict):
        return ""
    if item is True or item is False:
        return "true" if item else "false"
    return item if type(item) is str else str(item)


def as_read(data: Mapping[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """What :func:`xml_to_data` reads, as ``model``, from the XML :func:`render_xml` writes of ``data``,
    without writing or parsing it: an in-process provider hands it along with the document it wrote
    (``NativeResponse.read``), so the adapter need not parse that document again. A property test holds
    it to the real round trip (``tests/test_native_reading.py``)."""
    plan = _plan(model)
    fields = plan.fields
    out: dict[str, Any] = {}
    for key, value in data.items():
        field = fields.get(key, _UNKNOWN)
        for item in value if isinstance(value, list) else (value,):
            if item is None:
                continue
            if field.kind == _MODEL:
                _put(out, key, field, as_read(item if isinstance(item, dict) else {}, field.model))  # type: ignore[arg-type]
            else:
                _put(out, key, field, _read_text(_written_text(item), field.kind))
    return _with_lists(out, plan)


def in_model_order(data: Mapping[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """``data`` with its keys (and those of nested models) in ``model``'s field order, unknown keys last:
    the order an XML Schema ``sequence`` derived from the model (a WSDL's) expects the elements in."""
    plan = _plan(model)
    out = {name: data[name] for name in plan.fields if name in data}
    if len(out) != len(data):
        out.update((name, value) for name, value in data.items() if name not in out)
    for name, inner in plan.nested:
        value = out.get(name)
        if isinstance(value, list):
            out[name] = [in_model_order(v, inner) if isinstance(v, Mapping) else v for v in value]
        elif isinstance(value, Mapping):
            out[name] = in_model_order(value, inner)
    return out
