"""``ngsp-sim conformance``: an integrator's one-stop system registered as the provider of
``TiepNhanHoSo``. A correct provider passes; a deliberately broken one fails with pointed findings."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp import web

from ngsp_sim.cli.conformance import run_conformance
from ngsp_sim.conformance.cases import generate_cases
from ngsp_sim.contracts.examples import EXAMPLES
from schemas.one_stop import TiepNhanHoSoRequest
from tests.helpers import xml_file
from tests.processes import run_cli_async

SERVICE = "VN/GOV/000.00.00.H29/MOTCUA/TiepNhanHoSo"
NATIVE = "/motcua/api/TiepNhanHoSo"


async def correct(request: web.Request) -> web.Response:
    """Checks what it receives and refuses in its protocol (KetQua 0), accepts the rest."""
    try:
        form = orjson.loads(await request.read())
        TiepNhanHoSoRequest.model_validate(form)
    except ValueError as exc:  # JSON or validation
        return web.json_response({"KetQua": 0, "MoTa": f"Dữ liệu không hợp lệ: {str(exc)[:100]}"})
    return web.json_response({"KetQua": 1, "MaHoSo": "000.00.00.H29-251121-0001", "TrangThaiHoSo": 2})


async def broken(request: web.Request) -> web.Response:
    """Crashes on a missing field, trusts anything else, and answers a state outside 1-10 with a
    dossier code of the wrong form."""
    form = orjson.loads(await request.read())
    if "ChuHoSo" not in form:
        return web.Response(status=500, text="KeyError: 'ChuHoSo'")
    return web.json_response({"KetQua": 1, "MaHoSo": "HS-1", "TrangThaiHoSo": 11})


async def _serve(handler: Any, aiohttp_server: Any) -> str:
    app = web.Application()
    app.router.add_post(NATIVE, handler)
    server = await aiohttp_server(app)
    return str(server.make_url("")).rstrip("/")


async def fragile(request: web.Request) -> web.Response:
    """Correct on every well-formed request, but crashes on a body that is not JSON."""
    try:
        orjson.loads(await request.read())
    except ValueError:
        return web.Response(status=500, text="JSONDecodeError")
    return await correct(request)


def _args(target: str, tmp_path: Path) -> dict[str, Any]:
    return {
        "service": SERVICE,
        "target": target,
        "examples": 8,
        "seed": 3,
        "junit": tmp_path / "junit.xml",
        "html": tmp_path / "report.html",
    }


async def test_a_correct_provider_passes(
    aiohttp_server: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await run_conformance(**_args(await _serve(correct, aiohttp_server), tmp_path))
    out = capsys.readouterr().out
    assert code == 0, out
    assert re.search(r"PASS: \d+ passed, 0 failed", out)
    assert re.search(r"\d+ invalid, 2 protocol", out)
    suite = xml_file(tmp_path / "junit.xml")
    assert suite.get("failures") == "0" and int(suite.get("tests", "0")) >= 30
    assert out.rstrip().endswith(f"overall: 100.0% ({suite.get('tests')} of {suite.get('tests')})")


async def test_the_run_ends_with_a_score_per_check_group_in_every_report(
    aiohttp_server: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 21: a provider that only crashes on the two damaged bodies scores 0% on protocol, 100% on
    the rest, and the overall percentage counts every request; the JUnit and HTML reports carry it too."""
    code = await run_conformance(**_args(await _serve(fragile, aiohttp_server), tmp_path))
    out = capsys.readouterr().out
    assert code == 1
    suite = xml_file(tmp_path / "junit.xml")
    total = int(suite.get("tests", "0"))
    kinds = [c.get("classname", "").removeprefix("conformance.") for c in suite.findall("testcase")]
    overall = f"{100 * (total - 2) / total:.1f}"
    assert out.splitlines()[-6:] == [
        "score / điểm:",
        f"  valid: 100.0% ({kinds.count('valid')} of {kinds.count('valid')})",
        f"  boundary: 100.0% ({kinds.count('boundary')} of {kinds.count('boundary')})",
        f"  invalid: 100.0% ({kinds.count('invalid')} of {kinds.count('invalid')})",
        "  protocol: 0.0% (0 of 2)",
        f"  overall: {overall}% ({total - 2} of {total})",
    ]
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties == {
        "score.valid": "100.0",
        "score.boundary": "100.0",
        "score.invalid": "100.0",
        "score.protocol": "0.0",
        "score": overall,
    }
    page = (tmp_path / "report.html").read_text()
    assert "<th>protocol</th><td>0.0%</td><td>0 of 2</td>" in page
    assert f"<th>overall</th><td>{overall}%</td>" in page


async def test_a_broken_provider_fails_with_pointed_findings(
    aiohttp_server: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await run_conformance(**_args(await _serve(broken, aiohttp_server), tmp_path))
    out = capsys.readouterr().out
    assert code == 1
    # valid requests: the hub names what is wrong in the provider's answer, where
    assert "FAIL valid: the example" in out
    assert "Server.ServerProxy.ServiceFailed.SchemaViolation" in out
    assert "/TrangThaiHoSo: Input should be less than or equal to 10" in out
    assert "/MaHoSo: expected" in out
    # invalid requests: a crash and an acceptance, each named
    assert "FAIL invalid: ChuHoSo missing" in out and "crashed: answered 500" in out
    assert "FAIL invalid: SoGiayToChuHoSo not matching" in out and "accepted an invalid request" in out
    # protocol: the body cut short crashes it too (orjson raises, aiohttp answers 500)
    assert "FAIL protocol: the body cut short (not well-formed)" in out
    suite = xml_file(tmp_path / "junit.xml")
    assert int(suite.get("failures", "0")) == len(suite.findall("testcase"))
    page = (tmp_path / "report.html").read_text()
    assert "0 passed" in page and "crashed: answered 500" in page and "<script" not in page


def test_the_same_seed_gives_the_same_requests_and_each_kind_is_what_it_says() -> None:
    example = EXAMPLES[("one_stop", "TiepNhanHoSo")].payload
    assert example is not None
    first, second = (
        generate_cases(TiepNhanHoSoRequest, example, 10, 5),
        generate_cases(TiepNhanHoSoRequest, example, 10, 5),
    )
    assert first == second
    assert generate_cases(TiepNhanHoSoRequest, example, 10, 6) != first
    for case in first:
        try:
            TiepNhanHoSoRequest.model_validate(case.payload)
            valid = True
        except ValueError:
            valid = False
        assert valid == (case.kind != "invalid"), case.name
    assert sum(c.kind == "valid" for c in first) == 11  # the example and 10 drawn


def test_an_invalid_starting_example_is_refused() -> None:
    with pytest.raises(ValueError, match="conformance starts from a valid request"):
        generate_cases(TiepNhanHoSoRequest, {"MaTTHC": "x"}, 5, 0)


async def test_the_command_line_writes_the_reports_and_its_logs_go_to_stderr(
    aiohttp_server: Any, tmp_path: Path
) -> None:
    target = await _serve(correct, aiohttp_server)
    code, out, err = await run_cli_async(
        "conformance",
        "--service",
        SERVICE,
        "--target",
        target,
        "--examples",
        "3",
        "--junit",
        str(tmp_path / "j.xml"),
        "--html",
        str(tmp_path / "r.html"),
        "--log-level",
        "info",
    )
    assert code == 0, out + err
    assert "PASS" in out and (tmp_path / "j.xml").exists() and (tmp_path / "r.html").exists()
    assert "[info" in err and "exchange" in err  # the in-process hub's log lines, on stderr
    assert "[info" not in out and '"event"' not in out and "exchange " not in out  # the report alone on stdout
    counted = re.search(r"(\d+) requests", out)  # the summary names how many cases ran
    assert counted is not None, out
    cases = int(counted.group(1))
    assert re.search(rf"conformance .* {cases}/{cases} 0 failed", err), err[-400:]  # Rich's bar, its last state
    assert f"{cases}/{cases}" not in out
