"""One precedence for the options of `up`: command line > environment > config file > default."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ngsp_sim.settings import resolve


def test_precedence(tmp_path: Path) -> None:
    config = tmp_path / "hub.yaml"
    config.write_text("port: 9000\npopulation: 50\nseed: 7\nmessage_log: off\n", encoding="utf-8")
    env = {"NGSP_SIM_PORT": "9100", "NGSP_SIM_SEED": "8"}
    resolved = resolve({"port": "9200"}, env, config)
    assert resolved.values["port"] == 9200 and resolved.sources["port"] == "command line"
    assert resolved.values["seed"] == 8 and resolved.sources["seed"] == "environment NGSP_SIM_SEED"
    assert resolved.values["population"] == 50 and resolved.sources["population"] == "config file"
    assert resolved.values["message_log"] == "off"
    assert resolved.values["host"] == "127.0.0.1" and resolved.sources["host"] == "default"


def test_config_file_from_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "hub.yaml"
    config.write_text("pii_mask: false\n", encoding="utf-8")
    resolved = resolve({}, {"NGSP_SIM_CONFIG": str(config)}, None)
    assert resolved.values["pii_mask"] is False


@pytest.mark.parametrize(
    ("env", "file_text", "message"),
    [
        ({"NGSP_SIM_PORT": "eighty"}, None, "port (from environment NGSP_SIM_PORT)"),
        ({"NGSP_SIM_PII_MASK": "maybe"}, None, "expected true or false"),
        ({}, "colour: blue\n", "unknown options: colour"),
        ({}, "- a list\n", "must be a mapping"),
        ({"NGSP_SIM_LOG_FORMAT": "xml"}, None, "expected one of json, console"),
    ],
)
def test_bad_values_are_named_with_their_source(
    tmp_path: Path, env: dict[str, str], file_text: str | None, message: str
) -> None:
    config = None
    if file_text is not None:
        config = tmp_path / "hub.yaml"
        config.write_text(file_text, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(message)):
        resolve({}, env, config)


def test_config_show_prints_sources_and_hides_secrets(tmp_path: Path) -> None:
    config = tmp_path / "hub.yaml"
    config.write_text("store: postgresql://postgres:secret-pw@127.0.0.1:5432/test\n", encoding="utf-8")
    env = {**os.environ, "NGSP_SIM_ADMIN_TOKEN": "a-very-secret-admin-token", "NGSP_SIM_POPULATION": "500"}
    result = subprocess.run(
        [sys.executable, "-m", "ngsp_sim", "config", "show", "--config", str(config), "--port", "9300"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert "9300" in lines["port"] and "command line" in lines["port"]
    assert "500" in lines["population"] and "NGSP_SIM_POPULATION" in lines["population"]
    assert "(hidden)" in lines["store"] and "config file" in lines["store"]
    assert "(hidden)" in lines["admin_token"]
    assert "secret" not in result.stdout.replace("(hidden)", "")


def test_up_refuses_a_bad_environment_value_with_a_sentence(tmp_path: Path) -> None:
    env = {**os.environ, "NGSP_SIM_PORT": "eighty"}
    result = subprocess.run(
        [sys.executable, "-m", "ngsp_sim", "up", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "port (from environment NGSP_SIM_PORT)" in result.stderr


def test_the_data_dir_is_the_effective_one_and_show_says_what_an_unset_option_means(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the default store is ./.ngsp-sim of the working directory
    resolved = resolve({}, {}, None)
    assert resolved.values["data_dir"] == tmp_path / ".ngsp-sim" and resolved.sources["data_dir"] == "default"
    lines = {line.split()[0]: line for line in resolved.show().splitlines()}
    assert f"sqlite:///{tmp_path / '.ngsp-sim' / 'ngsp-sim.sqlite3'}" in lines["store"]
    assert "None" not in resolved.show()
    elsewhere = resolve({"store": "sqlite:///elsewhere.db"}, {}, None)
    assert "not used: store is set" in {line.split()[0]: line for line in elsewhere.show().splitlines()}["data_dir"]
