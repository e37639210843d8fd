"""docs/tutorial.md, executed: every ``sh`` block in order in one shell, in a fresh virtual environment
that sees this ngsp-sim (as ``pip install ngsp-sim`` would give); every line of every ``text`` block
must appear in what the commands printed. Port 8080 of the text becomes a free port."""

from __future__ import annotations

import os
import re
import shutil
import site
import socket
import subprocess
import sys
from pathlib import Path

import pytest

TUTORIAL = Path(__file__).resolve().parent.parent / "docs" / "tutorial.md"
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


def test_the_tutorial_runs_as_written(tmp_path: Path):
    if shutil.which("curl") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs curl for the tutorial")
        pytest.skip("curl is not installed")
    port = str(_free_port())
    script = "set -e\n" + "\n".join(_blocks("sh")).replace("8080", port)
    env = {**os.environ, "PATH": f"{_venv(tmp_path / 'venv')}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    work = tmp_path / "work"
    work.mkdir()
    result = subprocess.run(["bash", "-c", script], cwd=work, env=env, capture_output=True, text=True, timeout=600,
                            check=False)  # fmt: skip
    output = result.stdout
    assert result.returncode == 0, output + result.stderr
    missing = [
        line.strip()
        for block in _blocks("text")
        for line in block.splitlines()
        if line.strip() and line.strip() not in output
    ]
    assert not missing, f"not printed: {missing}\n--- output:\n{output}"
    assert (work / "ngsp-sim-land" / "ngsp_land" / "adapter.py").exists()
