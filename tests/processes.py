"""Running ngsp-sim as real processes, as users do: start, wait for the banner, stop with SIGTERM."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path


class Running:
    """A started process. Its output is drained continuously (a full pipe would block it)."""

    def __init__(self, process: asyncio.subprocess.Process, url: str, banner: str) -> None:
        self.process, self.url, self.banner = process, url, banner
        self.stdout = bytearray()
        self.stderr = bytearray()
        self._drains = [
            asyncio.create_task(self._drain(process.stdout, self.stdout)),
            asyncio.create_task(self._drain(process.stderr, self.stderr)),
        ]

    @staticmethod
    async def _drain(stream: asyncio.StreamReader | None, into: bytearray) -> None:
        while stream is not None and (chunk := await stream.read(65536)):
            into += chunk

    async def stop(self) -> int:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), 30)
        await asyncio.gather(*self._drains)
        return code


async def _spawn(
    args: tuple[str, ...],
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    preexec: Callable[[], None] | None = None,
) -> asyncio.subprocess.Process:
    """``python -m ngsp_sim ARGS`` with both outputs piped (``env`` added to this environment)."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ngsp_sim",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=None if env is None else {**os.environ, **env},
        cwd=cwd,
        preexec_fn=preexec,
    )


async def start(
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    preexec: Callable[[], None] | None = None,
) -> Running:
    """Start ``ngsp-sim ARGS`` (in ``cwd``) and return once it printed the address it listens on;
    ``preexec`` runs in the child before it starts (e.g. to lower its open-file limit)."""
    process = await _spawn(args, env, cwd, preexec)
    assert process.stdout is not None
    banner = []
    while True:  # the banner is printed once the socket is bound; wait for it, bounded
        line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
        if not line:
            err = await process.stderr.read() if process.stderr else b""
            raise AssertionError(f"process exited before listening: {err.decode()}")
        banner.append(line)
        if match := re.search(r"(https?://127\.0\.0\.1:\d+)", line):
            break
    return Running(process, match.group(1), "".join(banner))


async def start_hub(
    data: Path, *args: str, env: Mapping[str, str] | None = None, preexec: Callable[[], None] | None = None
) -> Running:
    """``ngsp-sim up`` on an ephemeral port with a small population (50) and its store in ``data``."""
    return await start(
        "up", "--port", "0", "--population", "50", "--data-dir", str(data), *args, env=env, preexec=preexec
    )


async def stop(running: Running) -> int:
    return await running.stop()


def run_cli(
    *args: str, env: Mapping[str, str] | None = None, cwd: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ngsp_sim", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=None if env is None else {**os.environ, **env},
        cwd=cwd,
    )


async def run_cli_async(*args: str, timeout: float = 300) -> tuple[int, str, str]:
    """``ngsp-sim ARGS`` to its end without blocking the event loop (a server in the test keeps
    answering it): (exit code, standard output, standard error)."""
    process = await _spawn(args)
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()
