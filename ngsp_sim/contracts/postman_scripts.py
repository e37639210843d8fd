"""The JavaScript of the Postman collection: the tests every request carries and the pre-request
scripts that make a run repeatable on one hub.

Every request sends a fresh ``X-Road-Id`` (set by the collection's pre-request script) and tests that the
provider answered (status 200), that the hub echoed the ``X-Road-Id``, and the native success flag of the
answer (:attr:`~ngsp_sim.contracts.examples.Example.success`). Requests that create something with a
caller-chosen reference get a new one on every send (a payment's ``MaThamChieu``, signed again; a
civil-status dossier's ``maHoSo``), and requests about what an earlier one created read it from a
collection variable (the one-stop dossier just received, the edXML document just sent), so the collection
passes twice in a row on the same hub, in Postman as in newman.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ngsp_sim.contracts.examples import DEMO_PAYMENT_SECRET, EXAMPLES, Example, payment_init_example
from ngsp_sim.sim.country import DEMO_DOSSIER
from schemas.payment import INIT_SIGNED_FIELDS

__all__ = ["COLLECTION_PRE_REQUEST", "TOKEN_TESTS", "VARIABLES", "pre_request", "tests", "with_variables"]

Operation = tuple[str, str]

COLLECTION_PRE_REQUEST = ["pm.variables.set('xRoadId', 'postman-' + pm.variables.replaceIn('{{$guid}}'));"]

_PAYMENT = payment_init_example()
VARIABLES: Mapping[str, str] = {
    "docId": "",
    "maThamChieu": _PAYMENT["MaThamChieu"],
    "maXacThuc": _PAYMENT["MaXacThuc"],
    "paymentSecret": DEMO_PAYMENT_SECRET,
    "maHoSoHoTich": (EXAMPLES[("civil_status", "dangKyHoTich")].payload or {})["maHoSo"],
    "maHoSoMotCua": DEMO_DOSSIER,
}
"""Collection variables and their first values (what a request sent on its own uses)."""

_BODY_VARIABLES: Mapping[Operation, Mapping[str, str]] = {
    ("payment", "KhoiTaoGiaoDich"): {"MaThamChieu": "maThamChieu", "MaXacThuc": "maXacThuc"},
    ("payment", "TraCuuGiaoDich"): {"MaThamChieu": "maThamChieu"},
    ("civil_status", "dangKyHoTich"): {"maHoSo": "maHoSoHoTich"},
    ("one_stop", "TraCuuTrangThaiHoSo"): {"MaHoSo": "maHoSoMotCua"},
    ("one_stop", "ChuyenBuocHoSo"): {"MaHoSo": "maHoSoMotCua"},
}
"""Top-level body fields sent as ``{{variable}}``."""

TOKEN_TESTS = [
    "pm.test('a token was issued (200)', function () { pm.response.to.have.status(200); });",
    "const answer = pm.response.json();",
    "pm.test('access_token is set', function () { pm.expect(answer.access_token).to.be.a('string').and.not.empty; });",
    "pm.collectionVariables.set('access_token', answer.access_token);",
]

_CAPTURES: Mapping[Operation, Mapping[str, str]] = {
    ("one_stop", "TiepNhanHoSo"): {"maHoSoMotCua": "MaHoSo"},
    ("edxml", "sendEdoc"): {"docId": "docId"},
}
"""Collection variables set from a successful answer's fields."""

_PAYMENT_REFERENCE = [
    "// A new MaThamChieu for every send (a partner never reuses one), and MaXacThuc signed over it.",
    "const sha256 = require('crypto-js').SHA256;",
    "const reference = 'TT-' + Date.now();",
    "pm.collectionVariables.set('maThamChieu', reference);",
    "const message = JSON.parse(pm.request.body.raw);",
    "message.MaThamChieu = reference;",
    f"const signed = {json.dumps(list(INIT_SIGNED_FIELDS))}.map(function (name) {{",
    "  return message[name] === undefined || message[name] === null ? '' : String(message[name]);",
    "});",
    "signed.push(pm.collectionVariables.get('paymentSecret'));",
    "pm.collectionVariables.set('maXacThuc', sha256(signed.join('|')).toString());",
]


def _dossier_code(variable: str, agency: str) -> list[str]:
    """A dossier code ``{agency}-{yyMMdd}-{NNNN}`` no run in the last hour used: the clock's milliseconds
    within the hour pick a day of the past year and the serial."""
    return [
        "// A new dossier code for every send: a registered dossier code cannot be registered again.",
        "const slot = Date.now() % 3650000;",
        "const day = new Date(Date.now() - Math.floor(slot / 10000) * 86400000);",
        "const yymmdd = day.toISOString().slice(2, 10).replace(/-/g, '');",
        "const serial = String(slot % 10000).padStart(4, '0');",
        f"pm.collectionVariables.set('{variable}', '{agency}-' + yymmdd + '-' + serial);",
    ]


def pre_request(operation: Operation, example: Example | None) -> list[str]:
    """The request's own pre-request script (empty when it needs none)."""
    if operation == ("payment", "KhoiTaoGiaoDich"):
        return _PAYMENT_REFERENCE
    if operation == ("civil_status", "dangKyHoTich") and example is not None and example.payload:
        return _dossier_code("maHoSoHoTich", str(example.payload["maDonVi"]))
    return []


def tests(operation: Operation, example: Example | None, success: tuple[str, Any] | None, *, xml: bool) -> list[str]:
    """The request's test script: status, ``X-Road-Id`` echoed, the native success flag (``success``: the
    example's own, else the adapter's), captures."""
    script = [
        "pm.test('the provider answered (200)', function () { pm.response.to.have.status(200); });",
        "pm.test('X-Road-Id is echoed', function () {",
        "  pm.expect(pm.response.headers.get('X-Road-Id')).to.eql(pm.variables.get('xRoadId'));",
        "});",
    ]
    if xml:
        script.append("pm.test('an XML answer', function () { pm.expect(pm.response.text()).to.include('<?xml'); });")
    elif example is not None and success is not None:
        path, value = success
        expected = json.dumps(value, ensure_ascii=False)
        script += [
            f"pm.test('native success: {path} is {expected}', function () {{",
            f"  const found = {json.dumps(path.split('.'))}.reduce(function (node, key) {{",
            "    return node === undefined || node === null ? undefined : node[key];",
            "  }, pm.response.json());",
            f"  pm.expect(found).to.eql({expected});",
            "});",
        ]
    for variable, field in _CAPTURES.get(operation, {}).items():
        script.append(
            f"if (pm.response.code === 200) {{ pm.collectionVariables.set('{variable}', pm.response.json().{field}); }}"
        )
    return script


def with_variables(operation: Operation, payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with the fields :data:`_BODY_VARIABLES` names sent as ``{{variable}}``."""
    return {**payload, **{k: f"{{{{{v}}}}}" for k, v in _BODY_VARIABLES.get(operation, {}).items()}}
