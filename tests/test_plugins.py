"""Entry-point discovery of third-party adapters and simulated agencies, and the scaffold's refusals."""

from __future__ import annotations

import sys
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

import adapters
from ngsp_sim import sim
from ngsp_sim.errors import PluginError
from ngsp_sim.plugins import GROUP, discover
from ngsp_sim.scaffold import scaffold
from tests.processes import run_cli


def _point(name: str, value: str) -> EntryPoint:
    return EntryPoint(name, value, GROUP)


def test_an_adapter_and_an_agency_from_entry_points_join_the_builtins() -> None:
    found = discover(
        [_point("t1", "tests.plugin_fixtures:LandAdapter"), _point("t2", "tests.plugin_fixtures:LandAgency")]
    )
    from tests.plugin_fixtures import LandAdapter, LandAgency

    assert found.adapters["land"] is LandAdapter and found.simulators["land"] is LandAgency
    assert set(adapters.BUILTIN) < set(found.adapters) and set(sim.BUILTIN) < set(found.simulators)
    assert "entry point t1 = tests.plugin_fixtures:LandAdapter" in found.sources["adapter land"]


def test_a_plugin_that_does_not_import_is_named() -> None:
    with pytest.raises(PluginError, match=r"entry point broken = no_such_module:X\) does not load: ModuleNotFound"):
        discover([_point("broken", "no_such_module:X")])


def test_a_plugin_taking_a_builtin_name_is_refused() -> None:
    with pytest.raises(PluginError, match="adapter population is already provided by built-in"):
        discover([_point("clash", "tests.plugin_fixtures:ClashingAdapter")])


def test_a_plugin_that_is_not_an_adapter_or_agency_is_refused() -> None:
    with pytest.raises(PluginError, match="expected an Adapter or SimulatedAgency subclass"):
        discover([_point("odd", "tests.plugin_fixtures:NOT_A_CLASS")])


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Land", "lower-case"),
        ("x", "lower-case"),
        ("population", r"already taken \(built-in\)"),
        ("land-x", "lower-case"),
    ],
)
def test_the_scaffold_refuses_bad_or_taken_names(tmp_path: Path, name: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        scaffold(name, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_the_scaffold_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "ngsp-sim-land").mkdir()
    result = run_cli("adapter", "new", "land", "--dir", str(tmp_path))
    assert result.returncode == 2 and "already exists" in result.stderr


def test_the_scaffold_writes_python_that_compiles(tmp_path: Path) -> None:
    root = scaffold("land_registry", tmp_path)
    assert root.name == "ngsp-sim-land-registry"
    for path in root.rglob("*.py"):
        compile(path.read_text(), str(path), "exec")
    assert "class TraCuuLandRegistryRequest" in (root / "ngsp_land_registry" / "schemas.py").read_text()
    assert 'land_registry = "ngsp_land_registry.adapter:LandRegistryAdapter"' in (root / "pyproject.toml").read_text()


def test_the_scaffold_warns_in_the_projects_own_environment(tmp_path: Path) -> None:
    """Issue 16: a plugin installed into a clone's .venv makes `make test` fail ('land' is already taken)."""
    result = run_cli("adapter", "new", "parcel", "--dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    in_clone_venv = Path(sys.prefix) == Path(__file__).resolve().parent.parent / ".venv"
    assert ("note: this is ngsp-sim's own development environment" in result.stderr) == in_clone_venv
    assert ("docs/tutorial.md, step 0" in result.stderr) == in_clone_venv
