"""``ngsp-sim conformance --service ID --target URL``: does an integrator's provider answer as the
contract says? See :mod:`ngsp_sim.conformance.cases` (what is sent) and
:mod:`ngsp_sim.conformance.runner` (what is expected).

The report is the standard output; the progress bar (Rich) and the in-process hub's log lines go to
standard error, so ``> report.txt`` keeps only the report.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import click
import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from ngsp_sim.cli.common import topology_option
from ngsp_sim.conformance.report import html_report, junit_report, summary
from ngsp_sim.conformance.runner import Result, plan, run_plan
from ngsp_sim.logging import configure_logging

__all__ = ["conformance", "run_conformance"]


@click.command()
@click.option("--service", required=True, help="the service your system provides (…/SUBSYSTEM/SERVICE)")
@click.option("--target", required=True, help="your provider's base URL (the adapter's native paths below it)")
@topology_option
@click.option(
    "--example",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="one valid request: JSON (a body, or query parameters), or an XML document  [default: the built-in example]",
)
@click.option("--client", help="the calling client subsystem  [default: one the topology allows]")
@click.option("--examples", type=int, default=20, show_default=True, help="generated valid requests")
@click.option("--seed", type=int, default=0, show_default=True, help="the same seed sends the same requests")
@click.option("--junit", type=click.Path(path_type=Path), help="write a JUnit XML report here")
@click.option("--html", type=click.Path(path_type=Path), help="write an HTML report here")
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="warning",
    show_default=True,
    help="the in-process hub's log lines (on standard error)",
)
def conformance(
    service: str,
    target: str,
    topology: Path | None,
    example: Path | None,
    client: str | None,
    examples: int,
    seed: int,
    junit: Path | None,
    html: Path | None,
    log_level: str,
) -> int:
    """Check your provider against the contract.

    Registers --target as the provider of --service in a hub of its own and sends it generated valid,
    boundary and invalid requests (seeded). Prints a summary naming every departure; exit 1 on any.
    """
    configure_logging(log_level, json=False)
    loaded = _read_example(example) if example else None
    return asyncio.run(run_conformance(service, target, topology, loaded, client, examples, seed, junit, html))


def _read_example(path: Path) -> dict[str, Any] | bytes:
    """A JSON request (body or query parameters), or an XML document (edXML) as its bytes."""
    raw = path.read_bytes()
    if raw.lstrip().startswith(b"<"):
        return raw
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise click.BadParameter(f"{path}: neither JSON nor an XML document ({exc})", param_hint="--example") from None
    if not isinstance(data, dict):
        raise click.BadParameter(f"{path}: a JSON object is expected", param_hint="--example")
    return data


async def run_conformance(
    service: str,
    target: str,
    topology: Path | None = None,
    example: dict[str, Any] | bytes | None = None,
    client: str | None = None,
    examples: int = 20,
    seed: int = 0,
    junit: Path | None = None,
    html: Path | None = None,
) -> int:
    """Run the plan, print the summary on stdout, write the reports; 0 when every case passed."""
    prepared = plan(service, target, topology=topology, example=example, count=examples, seed=seed, client=client)

    columns = (TextColumn("conformance"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[failed]} failed"))
    # On standard error, like the logs: a live bar on a terminal, one final line otherwise.
    with Progress(*columns, console=Console(stderr=True, highlight=False)) as bar:
        task = bar.add_task("cases", total=len(prepared.cases), failed=0)
        failed = 0

        def progress(done: int, total: int, result: Result) -> None:
            nonlocal failed
            failed += not result.passed
            bar.update(task, completed=done, failed=failed)

        results = await run_plan(prepared, progress)
    print(summary(service, target, results))
    if junit:
        junit_report(junit, service, results)
    if html:
        html_report(html, service, target, results)
    return 0 if all(r.passed for r in results) else 1
