"""docs/tutorial.md, executed: every ``sh`` block in order in one shell, in a fresh virtual environment
that sees this ngsp-sim (what the tutorial's step 0, a ``shell`` block, makes with ``pip install
ngsp-sim``); every line of every ``text`` block must appear in what the commands printed. The tutorial's
own ports (8090 for its hub, 8091 for its agency, 8092 for its contract hub) become free ports.

Issue 16: the tutorial once started its hub on 8080, where ``make run``'s hub may already be (its wait
passed against the old hub), and installed its plugin into the project's ``.venv`` (after which the
project's own tests failed with ``'land' is already taken``). So it runs here while a demo hub holds
8080, and the project's environment is checked afterwards: no plugin in it, its scaffold test green."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import site
import socket
import subprocess
import sys
from pathlib import Path

from tests.helpers import ADMIN_TOKEN, missing_tool
from tests.processes import Running, start, stop

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "docs" / "tutorial.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.M | re.S)


def _blocks(kind: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(TUTORIAL.read_text()) if lang == kind]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _venv(where: Path) -> Path:
    """A venv without pip of its own that sees this interpreter's site-packages (ngsp-sim, pip,
    setuptools), with an ``ngsp-sim`` command of its own: a plugin installed there is seen by it."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    [packages] = list(where.glob("lib/python3*/site-packages"))
    dirs = ", ".join(repr(p) for p in site.getsitepackages())
    (packages / "ngsp-sim-dev.pth").write_text(f"import site; list(map(site.addsitedir, ({dirs},)))\n")
    command = where / "bin" / "ngsp-sim"
    command.write_text(f"#!{where / 'bin' / 'python'}\nfrom ngsp_sim.cli import main\nraise SystemExit(main())\n")
    command.chmod(0o755)
    return where / "bin"


def _needs_curl() -> None:
    if shutil.which("curl") is None:
        missing_tool("curl is not installed, for the tutorial")


def _with_ports(text: str, ports: dict[str, int]) -> str:
    for written, free in ports.items():
        text = text.replace(written, str(free))
    return text


def _run(script: str, tmp_path: Path, work: Path) -> subprocess.CompletedProcess[str]:
    """``script`` in ``work``, as a person in a clone whose ``.venv`` was active, who then activated the
    tutorial's own environment: that one comes first on the PATH, the project's next."""
    project_bin = Path(sys.executable).parent
    path = os.pathsep.join([str(_venv(tmp_path / "venv")), str(project_bin), os.environ["PATH"]])
    env = {**os.environ, "PATH": path}
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        ["bash", "-c", script], cwd=work, env=env, capture_output=True, text=True, timeout=600, check=False
    )


async def _demo_hub_on_8080(tmp_path: Path) -> Running | None:
    """A demo hub on 8080, as ``make run`` leaves it; ``None`` when something already holds 8080."""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", 8080))
        except OSError:
            return None
    data = str(tmp_path / "demo-store")
    return await start(
        "up", "--port", "8080", "--population", "20", "--data-dir", data, env={"NGSP_SIM_ADMIN_TOKEN": ADMIN_TOKEN}
    )


async def test_the_tutorial_runs_as_written_beside_a_demo_hub_and_leaves_the_project_alone(tmp_path: Path) -> None:
    _needs_curl()
    work = tmp_path / "work"
    work.mkdir()
    demo = await _demo_hub_on_8080(tmp_path)
    try:
        ports = {"8090": _free_port(), "8091": _free_port(), "8092": _free_port()}
        script = "set -e\n" + _with_ports("\n".join(_blocks("sh")), ports)
        result = await asyncio.to_thread(_run, script, tmp_path, work)
    finally:
        if demo is not None:
            assert await stop(demo) == 0
    output = result.stdout
    assert result.returncode == 0, output + result.stderr
    missing = [
        line.strip()
        for block in _blocks("text")
        for line in _with_ports(block, ports).splitlines()
        if line.strip() and line.strip() not in output
    ]
    assert not missing, f"not printed: {missing}\n--- output:\n{output}"
    assert (work / "ngsp-sim-land" / "ngsp_land" / "adapter.py").exists()
    assert (work / "ngsp-sim-land" / ".ngsp-sim" / "ngsp-sim.sqlite3").exists()  # its hub's store, its own

    await asyncio.to_thread(_project_still_clean)


def _project_still_clean() -> None:
    """The project's environment never saw the plugin: its own scaffold test (which failed with
    "'land' is already taken" after the old tutorial) passes."""
    listed = subprocess.run(
        [sys.executable, "-m", "ngsp_sim", "adapter", "list"], capture_output=True, text=True, timeout=120, check=True
    )
    assert "land" not in listed.stdout.split()
    suite = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"{ROOT}/tests/test_plugins.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert suite.returncode == 0, suite.stdout[-3000:]


async def test_step_4_stops_with_a_clear_message_when_its_port_is_taken(tmp_path: Path) -> None:
    """The hub of step 4 never talks to a hub that was there before it."""
    _needs_curl()
    step4 = next(block for block in _blocks("sh") if "ngsp-sim up" in block)
    other = await start(
        "up",
        "--port",
        "0",
        "--population",
        "20",
        "--data-dir",
        str(tmp_path / "other"),
        env={"NGSP_SIM_ADMIN_TOKEN": ADMIN_TOKEN},
    )
    try:
        port = other.url.rsplit(":", 1)[1]
        work = tmp_path / "work"
        work.mkdir()
        result = await asyncio.to_thread(_run, "set -e\n" + step4.replace("8090", port), tmp_path, work)
    finally:
        assert await stop(other) == 0
    assert result.returncode == 1
    assert result.stdout.strip() == f"port {port} is taken: stop what listens there, or use another port below"
    assert not (work / "hub.log").exists()  # no second hub was started
