"""``ngsp-sim conformance --service ID --target URL``: does an integrator's provider answer as the
contract says? See :mod:`ngsp_sim.conformance.cases` (what is sent) and
:mod:`ngsp_sim.conformance.runner` (what is expected)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import orjson

from ngsp_sim.conformance.report import html_report, junit_report, summary
from ngsp_sim.conformance.runner import Result, plan, run_plan

__all__ = ["add_conformance_parser", "run_conformance"]


def add_conformance_parser(commands: Any) -> None:
    parser = commands.add_parser("conformance", help="check that your provider answers as the service's contract says")
    parser.add_argument("--service", required=True, help="the service your system provides (…/SUBSYSTEM/SERVICE)")
    parser.add_argument("--target", required=True, help="your provider's base URL (the adapter's native paths below)")
    parser.add_argument("--topology", type=Path, help="topology YAML (default: the demo country)")
    parser.add_argument("--example", type=Path, help="one valid request (JSON); default: the built-in example")
    parser.add_argument("--client", help="the calling client subsystem (default: one the topology allows)")
    parser.add_argument("--examples", type=int, default=20, help="generated valid requests (default 20)")
    parser.add_argument("--seed", type=int, default=0, help="the same seed sends the same requests (default 0)")
    parser.add_argument("--junit", type=Path, help="write a JUnit XML report here")
    parser.add_argument("--html", type=Path, help="write an HTML report here")


async def run_conformance(args: argparse.Namespace) -> int:
    example = orjson.loads(args.example.read_bytes()) if args.example else None
    prepared = plan(args.service, args.target, topology=args.topology, example=example, count=args.examples,
                    seed=args.seed, client=args.client)  # fmt: skip

    def progress(done: int, total: int, result: Result) -> None:
        mark = "." if result.passed else "F"
        print(mark, end="\n" if done == total or done % 60 == 0 else "", file=sys.stderr, flush=True)

    results = await run_plan(prepared, progress)
    print(summary(args.service, args.target, results))
    if args.junit:
        junit_report(args.junit, args.service, results)
    if args.html:
        html_report(args.html, args.service, args.target, results)
    return 0 if all(r.passed for r in results) else 1
