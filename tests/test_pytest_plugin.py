"""The pytest plugin (``ngsp_hub``), used as an integrator uses it: from a test directory outside this
repository's tests and configuration, in a separate pytest process."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import urllib.request
from importlib.metadata import entry_points
from pathlib import Path

import orjson
import pytest

from ngsp_sim.errors import AdminApiError, NgspSimError
from ngsp_sim.testing import EmbeddedHub

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "connector"


def _pytest(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning", "."],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_plugin_is_installed_as_a_pytest11_entry_point() -> None:
    assert "ngsp_sim.testing.pytest_plugin" in {p.value for p in entry_points(group="pytest11")}


def test_the_example_connector_tests_pass_outside_the_package(tmp_path: Path) -> None:
    project = tmp_path / "connector"
    shutil.copytree(EXAMPLE, project)
    result = _pytest(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 passed" in result.stdout


def test_an_integrator_test_of_a_wrong_payload_fails(tmp_path: Path) -> None:
    """The fixture gives real evidence: asserting "no violations" of a wrong payload fails."""
    project = tmp_path / "connector"
    shutil.copytree(EXAMPLE, project)
    (project / "test_wrong.py").write_text(
        "from my_connector import ConnectorError, OneStopConnector\n"
        "from test_my_connector import DOSSIER\n\n"
        "def test_wrong(ngsp_hub):\n"
        "    try:\n"
        "        OneStopConnector(ngsp_hub.url).sync_dossier({**DOSSIER, 'KenhThucHien': 9})\n"
        "    except ConnectorError:\n"
        "        pass\n"
        "    [sent] = ngsp_hub.messages(service='DongBoHoSoMC')\n"
        "    assert sent.violations == []\n"
    )
    result = _pytest(project)
    assert result.returncode == 1
    assert "1 failed, 6 passed" in result.stdout
    assert "/data/0/KenhThucHien" in result.stdout


def _port_open(url: str) -> bool:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.socket() as sock:
        return sock.connect_ex((host, int(port))) == 0


def test_the_embedded_hub_serves_on_a_free_port_and_stops_cleanly() -> None:
    with EmbeddedHub() as hub:
        with urllib.request.urlopen(hub.url + "/healthz", timeout=10) as answer:  # noqa: S310
            assert orjson.loads(answer.read())["status"] == "ok"
        assert "VN/GOV/000.00.00.H29/MOTCUA" in hub.clients
        assert hub.credentials["motcua-hcm"] == "demo-motcua-hcm-secret"
        url = hub.url
    assert not _port_open(url)


def test_a_refused_admin_call_raises_the_trees_admin_api_error() -> None:
    """The handle's admin calls fail as the command line's do: one error class of the tree, carrying the
    status and the problems the hub listed."""
    with EmbeddedHub() as hub:
        with pytest.raises(AdminApiError) as bad_kind:
            hub.inject_fault("f1", "VN/GOV/000.00.00.G01/CSDLQGDC", "no-such-kind")
        with pytest.raises(AdminApiError) as unknown:
            hub.clear_fault("never-injected")
    assert isinstance(bad_kind.value, NgspSimError)
    assert bad_kind.value.status == 400 and any("kind" in p for p in bad_kind.value.problems), bad_kind.value
    assert unknown.value.status == 404 and "never-injected" in str(unknown.value)
