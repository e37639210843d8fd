"""Topology files: the demo loads; every problem is reported with file, line and path."""

from __future__ import annotations

import textwrap

import pytest

import adapters
from ngsp_sim import sim
from ngsp_sim.errors import TopologyError
from ngsp_sim.identifiers import ServiceId, SubsystemId
from ngsp_sim.registry import load_registry
from tests.helpers import provider_topology, registry_from


def test_demo_topology_declares_the_documented_country(demo_registry):
    assert demo_registry.instance == "VN"
    assert {str(s) for s in demo_registry.services} == {
        "VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan",
        "VN/GOV/000.00.00.G22/DVCQG/DongBoHoSoMC",
        "VN/GOV/000.00.00.G22/DVCQG/TraCuuHoSo",
        "VN/GOV/000.00.00.G12/CSDLDKDN/chiTietDoanhNghiep",
        "VN/GOV/000.00.00.G01/CSDLQGDC/XacThucThongTinCongDan",
        "VN/GOV/000.00.00.G15/HOTICH/dangKyHoTich",
        "VN/GOV/000.00.00.G15/HOTICH/traTrangThaiHoSo",
        "VN/GOV/000.00.19.G12/CSDLBHXH/getMaSoBhxhTheoTieuChi",
        "VN/GOV/000.00.00.G22/DVCQG/CapNhatTienDoHoSoMC",
        "VN/GOV/000.00.00.G22/DVCQG/LayDanhSachTTHC",
        "VN/GOV/000.00.00.G22/DVCQG/LayThuTuc",
        "VN/GOV/000.00.00.G12/CSDLDKDN/tinhTrangHoSo",
        "VN/GOV/000.00.18.G12/THUE/ThongBaoThue",
        "VN/GOV/000.00.18.G12/THUE/ChungTuThue",
        "VN/GOV/000.00.00.G15/LLTP/nhanHoSoDangKy",
        "VN/GOV/000.00.00.G15/LLTP/traTrangThaiHs",
        "VN/GOV/000.00.00.G22/THANHTOAN/KhoiTaoGiaoDich",
        "VN/GOV/000.00.00.G22/THANHTOAN/TraCuuGiaoDich",
        "VN/GOV/000.00.00.G22/DMDC/danhMucDonViHanhChinh",
        "VN/GOV/000.00.00.G22/DMDC/danhMucDanToc",
        *(
            f"VN/GOV/000.00.00.G22/VDXP/{op}"
            for op in ("sendEdoc", "getReceivedEdocList", "getEdoc", "updateStatus", "getAgenciesList")
        ),
        *(
            f"VN/GOV/000.00.00.{p}/MOTCUA/{s}"
            for p in ("H29", "H56", "H38")
            for s in ("TiepNhanHoSo", "TraCuuTrangThaiHoSo", "ChuyenBuocHoSo")
        ),
    }
    motcua = SubsystemId.parse("VN/GOV/000.00.00.H29/MOTCUA")
    hotich = SubsystemId.parse("VN/GOV/000.00.00.G15/HOTICH")
    sync = ServiceId.parse("VN/GOV/000.00.00.G22/DVCQG/DongBoHoSoMC")
    assert demo_registry.is_allowed(motcua, sync, "POST", "/")
    assert not demo_registry.is_allowed(hotich, sync, "POST", "/")


def test_methods_default_to_the_operation(demo_registry):
    svc = demo_registry.services[ServiceId.parse("VN/GOV/000.00.00.G12/CSDLDKDN/chiTietDoanhNghiep")]
    assert svc.methods == frozenset({"GET"})


def test_a_file_is_loaded_from_disk(tmp_path):
    path = tmp_path / "country.yaml"
    path.write_text(provider_topology(), encoding="utf-8")
    registry = load_registry(path, adapters.BUILTIN, sim.BUILTIN)
    assert len(registry.services) == 1


def _problems(text: str) -> list[str]:
    with pytest.raises(TopologyError) as info:
        registry_from(textwrap.dedent(text))
    return info.value.problems


def test_value_problems_name_line_and_path():
    problems = _problems(
        """\
        instance: VN
        agencies:
          - code: 000.00.00.X1
            name: {vi: "Một cơ quan"}
            subsystems:
              - code: "BAD CODE"
                name: {vi: a, en: b}
        """
    )
    assert any(p.startswith("<test>:3: agencies[0].code: expected a QCVN 102 agency code") for p in problems)
    assert any(p.startswith("<test>:4: agencies[0].name.en: Field required") for p in problems)
    assert any(p.startswith("<test>:6: agencies[0].subsystems[0].code: the subsystem code") for p in problems)
    assert len(problems) == 3


def test_reference_problems_are_all_reported():
    problems = _problems(
        """\
        instance: VN
        agencies:
          - code: 000.00.00.G12
            name: {vi: a, en: b}
            subsystems:
              - code: CSDLDKDN
                name: {vi: a, en: b}
                simulator: nosuchsim
                services:
                  - code: chiTietDoanhNghiep
                    adapter: nosuchadapter
                  - code: traCuuGiDo
                    adapter: business
                  - code: chiTietDoanhNghiep
                    adapter: business
                    methods: [POST]
        access:
          - client: VN/GOV/000.00.00.H29/MOTCUA
            service: VN/GOV/000.00.00.G12/CSDLDKDN/khongCo
        """
    )
    text = "\n".join(problems)
    assert "<test>:8: agencies[0].subsystems[0].simulator: unknown simulator 'nosuchsim'" in text
    assert "<test>:11: agencies[0].subsystems[0].services[0].adapter: unknown adapter 'nosuchadapter'" in text
    assert "<test>:12: agencies[0].subsystems[0].services[1].code: adapter 'business' has no operation" in text
    assert "services[2].code: service VN/GOV/000.00.00.G12/CSDLDKDN/chiTietDoanhNghiep is declared twice" in text
    assert (
        "<test>:16: agencies[0].subsystems[0].services[2].methods: "
        "operation chiTietDoanhNghiep accepts only GET" in text
    )
    assert "<test>:18: access[0].client: client VN/GOV/000.00.00.H29/MOTCUA is not a declared subsystem" in text
    assert "<test>:19: access[0].service: service VN/GOV/000.00.00.G12/CSDLDKDN/khongCo is not declared" in text


def test_service_without_provider_is_refused():
    problems = _problems(provider_topology().replace("    simulator: business\n", ""))
    assert any("no provider: give an endpoint URL, or a simulator" in p for p in problems)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("agencies: [\n  - code: x\n", "not valid YAML"),
        ("- just\n- a list\n", "expected a mapping"),
        ("instance: VN\nagencies: []\n", "agencies: List should have at least 1 item"),
    ],
)
def test_unusable_files(text, expected):
    assert expected in "\n".join(_problems(text))


def test_unreadable_file_is_a_sentence(tmp_path):
    with pytest.raises(TopologyError, match="cannot read the topology file"):
        load_registry(tmp_path / "missing.yaml", adapters.BUILTIN, sim.BUILTIN)
