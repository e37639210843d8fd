"""YAML documents whose problems are reported as ``file:line: path: message``.

The topology and scenario loaders share this: PyYAML keeps the node tree (with line marks) beside the
data, and a pydantic location such as ``("steps", 3, "expect")`` is walked down that tree to the line
a person should open.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import yaml
from pydantic import ValidationError

__all__ = ["dotted", "line_of", "parse", "validation_problems", "where"]


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


def validation_problems(exc: ValidationError, source: str, root: yaml.Node | None) -> list[str]:
    """One ``file:line: path: message`` per pydantic error."""
    return [
        f"{where(source, root, err['loc'])}: {err['msg'].removeprefix('Value error, ')}"
        for err in exc.errors(include_url=False)
    ]
