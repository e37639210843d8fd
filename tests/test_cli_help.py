"""What a person reads from the command line: help with defaults and choices, suggestions for a
misspelled option, aligned tables (issue 16, "Messages and help"). Run as real processes."""

from __future__ import annotations

import json
import re

import click

from ngsp_sim.cli import cli
from ngsp_sim.plugins import installed
from tests.processes import run_cli


def test_a_misspelled_option_suggests_the_right_one() -> None:
    result = run_cli("up", "--prot", "9000")
    assert result.returncode == 2
    assert "No such option '--prot'" in result.stderr and "Did you mean" in result.stderr
    assert "'--port'" in result.stderr and "Traceback" not in result.stderr


def test_up_help_shows_defaults_and_choices() -> None:
    out = run_cli("up", "--help").stdout
    text = " ".join(out.split())  # the help wraps to the terminal's width
    assert "default: 8080" in text and "default: 1000" in text
    assert "--message-log [on|off]" in text and "--log-format [json|console]" in text
    assert "env: NGSP_SIM_PORT" in text
    assert "--admin-token" not in text  # a secret on the command line would show in ps


def test_main_help_says_what_the_tool_is_with_three_examples() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    assert "simulates Vietnam's national government integration platforms" in result.stdout
    examples = result.stdout.split("Examples:")[1].split("\n\n")[0]
    assert [line.split()[1] for line in examples.strip().splitlines()] == ["up", "catalog", "scenario"]


def test_agency_run_help_lists_every_installed_kind() -> None:
    text = " ".join(run_cli("agency", "run", "--help").stdout.split())
    kinds = sorted(installed().simulators)
    assert len(kinds) >= 12
    assert ", ".join(kinds) in text


def test_every_option_of_every_command_has_help() -> None:
    def commands(group: click.Group, path: str) -> list[tuple[str, click.Command]]:
        found: list[tuple[str, click.Command]] = []
        for name, command in group.commands.items():
            found.append((f"{path} {name}", command))
            if isinstance(command, click.Group):
                found += commands(command, f"{path} {name}")
        return found

    every = commands(cli, "ngsp-sim")
    assert len(every) >= 30
    missing = [
        f"{path} {param.opts[0]}"
        for path, command in every
        for param in command.params
        if isinstance(param, click.Option) and not param.help
    ]
    assert missing == []
    assert [path for path, command in every if not command.help] == []


def test_catalog_columns_are_aligned_and_every_service_says_what_it_does() -> None:
    lines = run_cli("catalog").stdout.splitlines()
    header, rows = lines[0], [line for line in lines[1:] if line.startswith("VN/")]
    services = {r["service"]: r for r in json.loads(run_cli("catalog", "--format", "json").stdout)}
    assert len(rows) == len(services) == 34
    adapter_at, description_at = header.index("ADAPTER"), header.index("DESCRIPTION")
    for line in rows:
        row = services[line.split()[0]]
        assert line[adapter_at:].split()[0] == row["adapter"], line
        assert line[description_at:] == row["summary"], line
        assert row["summary"] and not re.search(r"\s$", line)
