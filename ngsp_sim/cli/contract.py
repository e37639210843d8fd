"""``ngsp-sim contract diff OLD NEW``: is a new version of a service contract safe for the clients of
the old one? Lists the breaking changes, then the compatible ones. Exit 1 when anything breaks, 0
otherwise, 2 when a file cannot be read as an OpenAPI document."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ngsp_sim.cli.common import format_option, print_table, table
from ngsp_sim.contracts.diff import Change, diff_contracts, diff_services, load_contract, service_contracts
from ngsp_sim.plugins import installed
from ngsp_sim.registry import load_registry

__all__ = ["contract"]


@click.group()
def contract() -> None:
    """Service contracts (OpenAPI documents) and their versions."""


@contract.command()
@click.argument("old", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("new", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--topologies", is_flag=True, help="OLD and NEW are topology files: compare every service's contract")
@format_option
def diff(old: Path, new: Path, topologies: bool, output: str) -> int:
    """What changed from contract OLD to contract NEW, and what of it breaks existing clients.

    OLD and NEW are OpenAPI documents (JSON or YAML), e.g. written by `ngsp-sim export openapi`.
    A new required request field, a narrower type, enum or pattern, a removed operation, version or
    response field break clients; a new optional field or operation, a wider request type do not.
    With --topologies, OLD and NEW are topology files: every service's contract as the hub would
    publish it (/r1 and gateway paths), services removed or added included.
    Exit 1 when a change breaks clients, 0 otherwise, 2 when a file cannot be used.
    """
    changes = _topology_changes(old, new) if topologies else diff_contracts(load_contract(old), load_contract(new))
    breaking = [c for c in changes if c.breaking]
    if output == "json":
        report = {
            "old": str(old),
            "new": str(new),
            "breaking": bool(breaking),
            "changes": [c.as_dict() for c in changes],
        }
        print(json.dumps(report, ensure_ascii=False, indent=2))
    elif changes:
        grid = table("", "where", "change")
        for change in changes:
            grid.add_row("BREAKING" if change.breaking else "ok", change.where, f"{change.message} [{change.kind}]")
        print_table(grid)
        print(f"{len(breaking)} breaking change(s), {len(changes) - len(breaking)} compatible")
    else:
        print("no change in the contract")
    return 1 if breaking else 0


def _topology_changes(old: Path, new: Path) -> list[Change]:
    plugins = installed()
    before, after = (load_registry(path, plugins.adapters, plugins.simulators) for path in (old, new))
    return diff_services(service_contracts(before, plugins.adapters), service_contracts(after, plugins.adapters))
