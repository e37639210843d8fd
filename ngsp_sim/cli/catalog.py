"""``ngsp-sim catalog``: the services of a topology, one a line with what each does."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import orjson

from ngsp_sim.cli.common import format_option, print_table, table, topology_option
from ngsp_sim.plugins import installed
from ngsp_sim.registry import load_registry

__all__ = ["catalog"]


@click.command()
@topology_option
@format_option
def catalog(topology: Path | None, output: str) -> int:
    """List the services of a topology.

    Methods, adapter, provider and a one-line description of each, in aligned columns.
    """
    plugins = installed()
    registry = load_registry(topology, plugins.adapters, plugins.simulators)
    rows: list[dict[str, Any]] = []
    for service in sorted(registry.services.values(), key=lambda s: str(s.id)):
        sub = registry.subsystems[service.id.subsystem]
        _, operation = service.carried_by(plugins.adapters)
        rows.append(
            {
                "service": str(service.id),
                "methods": sorted(service.methods),
                "adapter": service.adapter,
                "provider": "upstream (NGSP)"
                if service.upstream
                else service.endpoint or f"simulated ({sub.simulator or service.adapter})",
                "summary": operation.summary or sub.name_en,
                "name_vi": sub.name_vi,
                "name_en": sub.name_en,
            }
        )
    if output == "json":
        sys.stdout.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode() + "\n")
        return 0
    grid = table("SERVICE", "METHODS", "ADAPTER", "PROVIDER", "DESCRIPTION")
    for r in rows:
        grid.add_row(r["service"], ",".join(r["methods"]), r["adapter"], r["provider"], r["summary"])
    print_table(grid)
    print(f"\n{len(rows)} services, {len(registry.agencies)} agencies")
    return 0
