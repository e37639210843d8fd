"""The published OpenAPI documents, read by a client generator nobody here wrote (openapi-python-client,
with the configuration ``export openapi`` writes beside them): every document yields a client without a warning and with every
operation; the generated clients then talk to a hub over a real socket, and read the hub's errors and a
provider's own errors (a SOAP Fault, a JSON agency's error) without crashing."""

from __future__ import annotations

import asyncio
import importlib
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from adapters.soap import build_fault
from ngsp_sim.contracts.examples import EXAMPLES
from tests.helpers import ADMIN_TOKEN, MakeHub, lookup_body, missing_tool
from tests.processes import run_cli

_METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        importlib.import_module("openapi_python_client")
    except ImportError:
        missing_tool("openapi-python-client is not installed (a test extra: pip install -e '.[dev]')")
    directory = tmp_path_factory.mktemp("openapi")
    result = run_cli("export", "openapi", str(directory))
    assert result.returncode == 0, result.stderr
    return directory


def _exported(documents: Path) -> dict[str, Any]:
    """The exported documents by service id (and ``admin``)."""
    found: dict[str, Any] = {"admin": json.loads((documents / "admin.openapi.json").read_text())}
    for path in (documents / "services").glob("*.openapi.json"):
        found[path.name.removesuffix(".openapi.json").replace("_", "/")] = json.loads(path.read_text())
    return found


async def test_the_exported_documents_are_the_ones_the_hub_publishes(make_hub: MakeHub, documents: Path) -> None:
    """So that generating from the export is generating from ``getOpenAPI`` and ``/api/v1/openapi.json``."""
    hub = await make_hub()
    exported = _exported(documents)
    served = await hub.get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert await served.json() == exported.pop("admin")
    assert len(exported) > 30
    for service, document in exported.items():
        provider, code = service.rsplit("/", 1)
        answer = await hub.get(
            f"/r1/{provider}/getOpenAPI",
            params={"serviceCode": code},
            headers={"X-Road-Client": "VN/GOV/000.00.00.H29/MOTCUA"},
        )
        assert answer.status == 200, service
        assert await answer.json() == document, service


def _generate(documents: Path, document: Path, output: Path) -> str:
    """Generate a client from ``document`` with the configuration the export wrote into ``documents``."""
    config = documents / "openapi-python-client.yaml"
    options = ["--path", str(document), "--meta", "none", "--output-path", str(output), "--config", str(config)]
    result = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", *options],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def test_every_published_document_generates_a_client_with_every_operation(documents: Path, tmp_path: Path) -> None:
    paths = [documents / "admin.openapi.json", *sorted((documents / "services").glob("*.openapi.json"))]
    assert len(paths) > 30
    problems = {}
    for index, document in enumerate(paths):
        output = tmp_path / f"client{index}"
        said = _generate(documents, document, output)
        spec = json.loads(document.read_text())
        operations = sum(1 for item in spec["paths"].values() for method in item if method in _METHODS)
        generated = [p for p in (output / "api").rglob("*.py") if p.name != "__init__.py"]
        if "warning" in said.lower() or len(generated) != operations:
            problems[document.name] = f"{len(generated)} of {operations} operations; {said.strip()}"
    assert not problems, problems


@pytest.fixture
def generated(documents: Path, tmp_path: Path) -> Iterator[dict[str, ModuleType]]:
    """The admin client and the population lookup's client, generated and importable."""
    names = {
        "ngsp_admin_client": documents / "admin.openapi.json",
        "ngsp_lookup_client": documents / "services/VN_GOV_000.00.00.G01_CSDLQGDC_TraCuuThongTinCongDan.openapi.json",
        "ngsp_tax_client": documents / "services/VN_GOV_000.00.18.G12_THUE_ThongBaoThue.openapi.json",
        "ngsp_edoc_client": documents / "services/VN_GOV_000.00.00.G22_VDXP_sendEdoc.openapi.json",
    }
    for name, document in names.items():
        _generate(documents, document, tmp_path / name)
    sys.path.insert(0, str(tmp_path))
    try:
        yield {name: importlib.import_module(name) for name in names}
    finally:
        sys.path.remove(str(tmp_path))
        for module in [m for m in sys.modules if m.split(".")[0] in names]:
            del sys.modules[module]


def _module(package: ModuleType, name: str) -> Any:
    return importlib.import_module(f"{package.__name__}.{name}")


async def _inject(admin: ModuleType, client: Any, fault: dict[str, Any]) -> None:
    """PUT /api/v1/faults/{id}: one of the operations the generator used to drop."""
    spec = _module(admin, "models.fault_spec_body").FaultSpecBody.from_dict(fault)
    put = _module(admin, "api.default.put_put_fault")
    answer = await put.asyncio_detailed(fault["id"], client=client, body=spec)
    assert answer.status_code == 200, answer.content


async def test_generated_clients_call_the_hub_and_read_native_errors(
    make_hub: MakeHub, generated: dict[str, ModuleType]
) -> None:
    hub = await make_hub()
    base = str(hub.make_url("")).rstrip("/")
    admin, lookup, tax = generated["ngsp_admin_client"], generated["ngsp_lookup_client"], generated["ngsp_tax_client"]
    async with admin.AuthenticatedClient(base_url=base, token=ADMIN_TOKEN) as client:
        services = await _module(admin, "api.default.get_list_services").asyncio(client=client)
        assert any(s.service.endswith("/TraCuuThongTinCongDan") for s in services.items)
        await _inject(
            admin,
            client,
            {
                "id": "soap-fault",
                "target": "VN/GOV/000.00.00.G01/CSDLQGDC",
                "kind": "error",
                "status": 500,
                "body": build_fault("soapenv:Server", "CSDL đang bảo trì").decode(),
                "content_type": "text/xml; charset=utf-8",
            },
        )
        await _inject(
            admin,
            client,
            {
                "id": "tax-error",
                "target": "VN/GOV/000.00.18.G12/THUE",
                "kind": "error",
                "status": 503,
                "body": json.dumps({"MaLoi": "99", "MoTaLoi": "Hệ thống bận"}),
            },
        )
    request = _module(lookup, "models.tra_cuu_thong_tin_cong_dan_request").TraCuuThongTinCongDanRequest
    body = request.from_dict(lookup_body())
    assert body.to_dict() == lookup_body()  # the generated model holds every field, not only SoDinhDanh
    async with lookup.Client(base_url=f"{base}/r1/VN/GOV/000.00.00.G01/CSDLQGDC") as client:  # the document's server
        call = _module(lookup, "api.default.tra_cuu_thong_tin_cong_dan")
        answer = await call.asyncio_detailed(client=client, body=body, x_road_client="VN/GOV/000.00.00.H29/MOTCUA")
    assert answer.status_code == 500
    assert type(answer.parsed).__name__ == "SoapFault"
    assert answer.parsed.faultcode == "soapenv:Server" and answer.parsed.faultstring == "CSDL đang bảo trì"
    async with tax.Client(base_url=f"{base}/r1/VN/GOV/000.00.18.G12/THUE") as client:
        example = EXAMPLES[("tax", "ThongBaoThue")]
        notice = _module(tax, "models.thong_bao_thue_request").ThongBaoThueRequest.from_dict(example.payload)
        call = _module(tax, "api.default.thong_bao_thue")
        answer = await call.asyncio_detailed(client=client, body=notice, x_road_client=example.client)
    assert answer.status_code == 503
    assert type(answer.parsed).__name__ == "ProviderError"
    assert answer.parsed.additional_properties == {"MaLoi": "99", "MoTaLoi": "Hệ thống bận"}


async def test_a_generated_client_sends_an_edxml_document(make_hub: MakeHub, generated: dict[str, ModuleType]) -> None:
    """``sendEdoc`` (a text/xml body) is generated too, and its client sends the document as it is."""
    hub = await make_hub()
    edoc = generated["ngsp_edoc_client"]
    example = EXAMPLES[("edxml", "sendEdoc")]
    assert example.xml is not None
    document = _module(edoc, "types").File(payload=io.BytesIO(example.xml), mime_type="text/xml")
    base = str(hub.make_url("/r1/VN/GOV/000.00.00.G22/VDXP"))
    call = _module(edoc, "api.default.send_edoc")
    with edoc.Client(base_url=base) as client:  # httpx sends a file's bytes from its sync client only: a thread
        answer = await asyncio.to_thread(call.sync_detailed, client=client, body=document, x_road_client=example.client)
    assert answer.status_code == 200, answer.content
    assert answer.parsed.status == "OK" and answer.parsed.doc_id
