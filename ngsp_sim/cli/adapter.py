"""``ngsp-sim adapter new NAME`` and ``ngsp-sim adapter list``: plugins (the scaffold itself is
:mod:`ngsp_sim.scaffold`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ngsp_sim.cli.common import print_table, table
from ngsp_sim.plugins import installed
from ngsp_sim.scaffold import in_project_venv, scaffold

__all__ = ["adapter"]


@click.group()
def adapter() -> None:
    """Third-party adapters and simulated agencies (plugins)."""


@adapter.command()
@click.argument("name")
@click.option(
    "--dir",
    "parent",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("."),
    show_default=True,
    help="where to create ngsp-sim-NAME/",
)
@click.option("--agency", default="000.00.00.G99", show_default=True, help="the provider agency's code")
def new(name: str, parent: Path, agency: str) -> int:
    """Scaffold a plugin NAME (its adapter's name in topology files, e.g. land): adapter, simulated agency,
    wire models, topology and contract tests."""
    root = scaffold(name, parent, agency)
    print(f"created {root}")
    print(f"next: python -m pip install --no-build-isolation -e {root} && (cd {root} && python -m pytest -q)")
    if in_project_venv():
        print(
            f"note: this is ngsp-sim's own development environment ({sys.prefix}); install the plugin into an "
            "environment of its own (docs/tutorial.md, step 0), or ngsp-sim's test suite will meet it",
            file=sys.stderr,
        )
    return 0


@adapter.command("list")
def list_() -> int:
    """Every adapter and simulated agency, and where each comes from."""
    rows = table("PLUGIN", "FROM")
    for key, origin in sorted(installed().sources.items()):
        rows.add_row(key, origin)
    print_table(rows)
    return 0
