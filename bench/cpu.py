"""CPU time and memory of a server: a process and every process below it (an ngsp-sim supervisor and its
workers, nginx's master and worker, the node launcher and its java), read from /proc.

CPU time per request is the figure a shared machine's noise barely moves: requests/s falls when another
process takes the core, the CPU the server spends on each request does not.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (field 3, the state, is index 0)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text[text.rindex(")") + 2 :].split()


def tree(roots: Iterable[int]) -> list[int]:
    """The live processes ``roots`` and all their descendants."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], list(roots)
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(parents.get(pid, []))
    return found


def cpu_seconds(roots: Iterable[int]) -> float:
    """User and system CPU time of ``roots`` and their descendants now alive (every thread included)."""
    total = 0
    for pid in tree(roots):
        if (fields := _stat(pid)) is not None:
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / TICK


def rss_mb(roots: Iterable[int]) -> float:
    """Resident memory of ``roots`` and their descendants, in MB."""
    total = 0
    for pid in tree(roots):
        try:
            lines = Path(f"/proc/{pid}/status").read_text().splitlines()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += next((int(line.split()[1]) for line in lines if line.startswith("VmRSS:")), 0)
    return total / 1024
