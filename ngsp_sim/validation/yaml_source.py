"""YAML documents whose problems are reported as ``file:line: path: message``.

The topology and scenario loaders share this: PyYAML keeps the node tree (with line marks) beside the
data, and a pydantic location such as ``("steps", 3, "expect")`` is walked down that tree to the line
a person should open. Pydantic's own wording ("Extra inputs are not permitted") is translated into a
sentence for the person who wrote the file, with "did you mean" for a misspelled key or choice.
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

__all__ = ["close_matches", "did_you_mean", "dotted", "line_of", "parse", "sentence", "validation_problems", "where"]


def line_of(node: yaml.Node | None, loc: Sequence[int | str]) -> int | None:
    """The 1-based line of the YAML node at ``loc``, or of its nearest existing parent."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            node = None
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def dotted(loc: Sequence[int | str]) -> str:
    """``("steps", 3, "expect")`` as ``steps[3].expect``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def where(source: str, root: yaml.Node | None, loc: Sequence[int | str]) -> str:
    line = line_of(root, loc) if root is not None else None
    return f"{source}:{line}: {dotted(loc)}" if line else f"{source}: {dotted(loc)}"


def parse(text: str, source: str, fail: Callable[[str, list[str]], Exception]) -> tuple[Any, yaml.Node | None]:
    """The data and the node tree of ``text``; invalid YAML raises ``fail(source, [problem])``."""
    try:
        return yaml.safe_load(text), yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = getattr(exc, "problem", None) or str(exc)
        raise fail(source, [f"{at}: not valid YAML: {problem}"]) from None


def validation_problems(
    exc: ValidationError, source: str, root: yaml.Node | None, model: type[BaseModel] | None = None
) -> list[str]:
    """One ``file:line: path: message`` per pydantic error; ``model`` (the validated one) lets an
    unknown key be matched against the keys allowed where it stands."""
    return [f"{where(source, root, err['loc'])}: {sentence(err, model)}" for err in exc.errors(include_url=False)]


def close_matches(word: object, choices: Iterable[str], n: int = 1) -> list[str]:
    """The ``n`` choices most like ``word`` (difflib's ratio of at least 0.6), closest first."""
    return difflib.get_close_matches(str(word), list(choices), n=n, cutoff=0.6)


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """``"; did you mean 'adapter'?"`` for the closest choice, or ``""``."""
    close = close_matches(word, choices)
    return f"; did you mean {close[0]!r}?" if close else ""


def _described(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, Mapping):
        return "a mapping (key: value lines)"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _number(value: Any) -> Any:
    """``1.0`` as ``1``: a bound of a float field reads as the person wrote it."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


_PLAIN = {  # pydantic error type -> the sentence; {value} is what the file gave, ctx keys as pydantic names them
    "missing": "required, but missing",
    "string_type": "expected text, got {value}",
    "int_type": "expected a whole number, got {value}",
    "int_parsing": "expected a whole number, got {value}",
    "int_from_float": "expected a whole number, got {value}",
    "float_type": "expected a number, got {value}",
    "float_parsing": "expected a number, got {value}",
    "bool_type": "expected true or false, got {value}",
    "bool_parsing": "expected true or false, got {value}",
    "list_type": "expected a list (lines starting with '- '), got {value}",
    "dict_type": "expected a mapping (key: value lines), got {value}",
    "model_type": "expected a mapping (key: value lines), got {value}",
    "model_attributes_type": "expected a mapping (key: value lines), got {value}",
    "string_pattern_mismatch": "{value} does not have the expected form (pattern {pattern})",
    "string_too_short": "needs at least {min_length} character(s), got {value}",
    "string_too_long": "allows at most {max_length} characters",
    "too_short": "needs at least {min_length} item(s)",
    "too_long": "allows at most {max_length} item(s)",
    "greater_than": "must be greater than {gt}, got {value}",
    "greater_than_equal": "must be {ge} or more, got {value}",
    "less_than": "must be less than {lt}, got {value}",
    "less_than_equal": "must be {le} or less, got {value}",
    "url_parsing": "{value} is not a URL ({error})",
    "url_scheme": "{value} is not an http:// or https:// URL",
    "url_type": "expected a URL, got {value}",
}


def sentence(error: ErrorDetails, model: type[BaseModel] | None = None) -> str:
    """One pydantic error as a sentence for a person (its location is said separately)."""
    kind, loc, ctx = error["type"], error["loc"], error.get("ctx") or {}
    value = _described(error.get("input"))
    if kind == "extra_forbidden":
        known = _keys_at(model, loc[:-1])
        hint = did_you_mean(loc[-1], known)
        listed = f"; allowed here: {', '.join(known)}" if known and not hint else ""
        return f"unknown key {str(loc[-1])!r}{hint}{listed}"
    if kind in ("literal_error", "enum"):
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return f"{value} is not one of {', '.join(choices)}{did_you_mean(error.get('input'), choices)}"
    if kind in _PLAIN:
        try:
            return _PLAIN[kind].format(value=value, **{k: _number(v) for k, v in ctx.items()})
        except (KeyError, IndexError):
            pass
    return error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _keys_at(model: type[BaseModel] | None, loc: Sequence[int | str]) -> list[str]:
    """The keys the model allows at ``loc``, or ``[]`` where that cannot be told (a union, no model)."""
    current: Any = model
    for part in loc:
        current = _inner(_plain(current), part)
        if current is None:
            return []
    current = _plain(current)
    return list(current.model_fields) if isinstance(current, type) and issubclass(current, BaseModel) else []


def _plain(annotation: Any) -> Any:
    """``Annotated[X, ...]`` and ``X | None`` as ``X``; another union as ``None``."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return None
            annotation = members[0]
        else:
            return annotation


def _inner(annotation: Any, part: int | str) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(part) if isinstance(part, str) else None
        return None if field is None else field.annotation
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (list, tuple, set, frozenset) and args and isinstance(part, int):
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    return None
