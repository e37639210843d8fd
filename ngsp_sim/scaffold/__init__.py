"""``ngsp-sim adapter new NAME`` (:mod:`ngsp_sim.cli.adapter`): a plugin distribution with an adapter,
a simulated agency, the wire models, a topology and the contract tests, ready to ``pip install -e`` and
run.

The files come from the ``*.tmpl`` templates next to this module (``string.Template``: ``${name}``).
"""

from __future__ import annotations

import re
import sys
from importlib.resources import files
from pathlib import Path
from string import Template

from ngsp_sim.plugins import installed
from schemas.common import check_agency_code

__all__ = ["scaffold"]

_NAME = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
# template -> path in the new project ({package} replaced)
_LAYOUT = {
    "pyproject.toml.tmpl": "pyproject.toml",
    "README.md.tmpl": "README.md",
    "topology.yaml.tmpl": "topology.yaml",
    "request.json.tmpl": "examples/request.json",
    "__init__.py.tmpl": "{package}/__init__.py",
    "schemas.py.tmpl": "{package}/schemas.py",
    "adapter.py.tmpl": "{package}/adapter.py",
    "agency.py.tmpl": "{package}/agency.py",
    "test_contract.py.tmpl": "tests/test_contract.py",
}


def scaffold(name: str, parent: Path, agency: str = "000.00.00.G99") -> Path:
    """Write the project ``parent/ngsp-sim-NAME`` and return its path. Refuses a name that is not a
    Python identifier in lower case, one already taken, and an existing directory."""
    if not _NAME.match(name):
        raise ValueError(f"{name!r}: a plugin name is 2-31 lower-case letters, digits or _, starting with a letter")
    plugins = installed()
    if name in plugins.adapters or name in plugins.simulators:
        taken = plugins.sources.get(f"adapter {name}") or plugins.sources.get(f"simulator {name}")
        raise ValueError(f"{name!r} is already taken ({taken})")
    check_agency_code(agency)
    words = name.split("_")
    values = {
        "name": name,
        "Class": "".join(w.capitalize() for w in words),
        "package": f"ngsp_{name}",
        "dist": f"ngsp-sim-{name.replace('_', '-')}",
        "service": "TraCuu" + "".join(w.capitalize() for w in words),
        "subsystem": name.replace("_", "").upper()[:20],
        "agency": agency,
    }
    root = parent / values["dist"]
    if root.exists():
        raise ValueError(f"{root} already exists; choose another directory or remove it")
    templates = files("ngsp_sim.scaffold")
    rendered = {  # every file first, so that a failure leaves nothing half-written
        root / target.format(package=values["package"]): Template(
            templates.joinpath(template).read_text("utf-8")
        ).substitute(values)
        for template, target in _LAYOUT.items()
    }
    for path, text in rendered.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return root


def in_project_venv() -> bool:
    """True in a clone's ``.venv`` (``make install``), where an installed plugin breaks ``make test``."""
    prefix = Path(sys.prefix)
    return prefix.name == ".venv" and (prefix.parent / "ngsp_sim" / "scaffold").is_dir()
