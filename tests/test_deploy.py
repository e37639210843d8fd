"""The docker-compose arrangement: valid for docker-compose, and consistent with the code it runs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import yaml

import adapters
from ngsp_sim import sim
from ngsp_sim.identifiers import ServiceId
from ngsp_sim.registry import load_registry
from tests.helpers import missing_tool

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_docker_compose_accepts_the_file() -> None:
    if shutil.which("docker-compose") is None:
        missing_tool("docker-compose is not installed (Debian package docker-compose), to validate docker-compose.yml")
    result = subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "NGSP_SIM_ADMIN_TOKEN": "compose-validation-token"},
    )
    assert result.returncode == 0, result.stderr


def test_services_of_the_arrangement() -> None:
    services = COMPOSE["services"]
    assert {"postgres", "hub-1", "hub-2", "nginx", "population", "business", "dvcqg"} <= set(services)
    for hub in ("hub-1", "hub-2"):
        env = services[hub]["environment"]
        assert env["NGSP_SIM_STORE"].startswith("postgresql://") and "@postgres:5432/" in env["NGSP_SIM_STORE"]
        assert services[hub]["command"][:3] == ["up", "--topology", "/app/deploy/topology.yaml"]
    # the replicas share the data directory, where the message log's key is (one key signs one chain)
    assert all("hubdata:/home/ngsp/data" in services[hub]["volumes"] for hub in ("hub-1", "hub-2"))
    upstream = re.findall(r"server (hub-\d):8080", (ROOT / "deploy/nginx.conf").read_text(encoding="utf-8"))
    assert upstream == ["hub-1", "hub-2"]
    assert services["nginx"]["ports"] == ["127.0.0.1:8080:80"]


def test_the_lgsp_tier_runs_in_front_of_the_ngsp_replicas_as_a_client_the_ngsp_topology_knows() -> None:
    """The lgsp-hcm service forwards to the NGSP through nginx, with its own store; the NGSP topology
    registers the LGSP's client identity (the lgsp-hcm topology's upstream.client) with its rights."""
    lgsp = COMPOSE["services"]["lgsp-hcm"]
    command = lgsp["command"]
    assert command[:3] == ["up", "--topology", "lgsp-hcm"]
    assert command[command.index("--upstream") + 1] == "http://nginx:80"
    assert "NGSP_SIM_STORE" not in lgsp["environment"] and lgsp["volumes"] == ["lgspdata:/home/ngsp/data"]
    deployed = load_registry(ROOT / "deploy/topology.yaml", adapters.BUILTIN, sim.BUILTIN)
    hcm = load_registry(Path("lgsp-hcm"), adapters.BUILTIN, sim.BUILTIN)
    assert hcm.upstream is not None and hcm.upstream.client in deployed.subsystems
    national = [s.id for s in hcm.services.values() if s.upstream]
    granted = [sid for sid in national if deployed.rules_for(hcm.upstream.client, sid)]
    assert granted and set(national) - set(granted) == {ServiceId.parse("VN/GOV/000.00.00.G22/DVCQG/TraCuuHoSo")}


def test_deploy_topology_matches_the_demo_and_points_at_the_agency_services() -> None:
    demo = load_registry(None, adapters.BUILTIN, sim.BUILTIN)
    deployed = load_registry(ROOT / "deploy/topology.yaml", adapters.BUILTIN, sim.BUILTIN)
    assert set(deployed.services) == set(demo.services)
    assert {str(r) for r in demo.agencies} == {str(r) for r in deployed.agencies}
    ports = {
        name: service["command"][service["command"].index("--port") + 1]
        for name, service in COMPOSE["services"].items()
        if service.get("command", [None])[0] == "agency"
    }
    endpoints = {s.endpoint for s in deployed.services.values() if s.endpoint}
    assert endpoints == {f"http://{name}:{port}/" for name, port in ports.items()}
    for name, service in COMPOSE["services"].items():
        if name in ports:
            assert service["command"][2] in sim.BUILTIN
