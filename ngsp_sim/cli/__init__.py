"""``ngsp-sim``, the command line: one Click group, one module per command group, one admin-API client
(:mod:`ngsp_sim.cli.client`). The only package that reads argv (and, with :mod:`ngsp_sim.settings`,
the environment). Errors ngsp-sim raises on purpose become one sentence on stderr and exit 2, never a
traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import aiohttp
import click

from ngsp_sim.cli.adapter import adapter
from ngsp_sim.cli.agency import agency
from ngsp_sim.cli.catalog import catalog
from ngsp_sim.cli.certs import certs
from ngsp_sim.cli.chaos import chaos
from ngsp_sim.cli.clock import clock
from ngsp_sim.cli.conformance import conformance
from ngsp_sim.cli.contract import contract
from ngsp_sim.cli.credentials import credentials
from ngsp_sim.cli.deliveries import deliveries
from ngsp_sim.cli.export import export
from ngsp_sim.cli.log import log
from ngsp_sim.cli.record import record, replay
from ngsp_sim.cli.scenario import scenario
from ngsp_sim.cli.up import config, up
from ngsp_sim.cli.validate import validate
from ngsp_sim.errors import NgspSimError

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120})
def cli() -> None:
    """ngsp-sim simulates Vietnam's national government integration platforms (NGSP/LGSP, and VDXP on
    X-Road) on one machine: a hub with simulated agencies, so that a connector tested here works
    there. For integrators and trainers; no network needed.

    \b
    Examples:
      ngsp-sim up                                  start the demo country's hub on http://127.0.0.1:8080
      ngsp-sim catalog                             list its services
      ngsp-sim scenario run identity-check --lang vi   run a scripted scenario in an in-process hub

    Each command has --help.
    """


for _command in (
    up,
    config,
    catalog,
    log,
    credentials,
    certs,
    chaos,
    clock,
    deliveries,
    validate,
    export,
    adapter,
    record,
    replay,
    conformance,
    contract,
    scenario,
    agency,
):
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> int:
    """The ``ngsp-sim`` entry point: the command's exit code."""
    try:
        result = cli.main(args=list(argv) if argv is not None else None, prog_name="ngsp-sim", standalone_mode=False)
    except click.UsageError as exc:
        exc.show()
        return exc.exit_code
    except click.ClickException as exc:
        print(f"ngsp-sim: {exc.format_message()}", file=sys.stderr)
        return exc.exit_code
    except click.Abort:
        return 130
    except (NgspSimError, ValueError, OSError, aiohttp.ClientError) as exc:
        print(f"ngsp-sim: {exc}", file=sys.stderr)
        return 2
    return result if isinstance(result, int) else 0
