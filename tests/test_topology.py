"""Topology files: the demo loads; every problem is reported with file, line and path."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import adapters
from ngsp_sim import sim
from ngsp_sim.errors import TopologyError
from ngsp_sim.identifiers import ServiceId, SubsystemId
from ngsp_sim.registry import Registry, load_registry
from tests.helpers import provider_topology, registry_from


def test_demo_topology_declares_the_documented_country(demo_registry: Registry) -> None:
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


def test_methods_default_to_the_operation(demo_registry: Registry) -> None:
    svc = demo_registry.services[ServiceId.parse("VN/GOV/000.00.00.G12/CSDLDKDN/chiTietDoanhNghiep")]
    assert svc.methods == frozenset({"GET"})


def test_a_file_is_loaded_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "country.yaml"
    path.write_text(provider_topology(), encoding="utf-8")
    registry = load_registry(path, adapters.BUILTIN, sim.BUILTIN)
    assert len(registry.services) == 1


def _problems(text: str) -> list[str]:
    with pytest.raises(TopologyError) as info:
        registry_from(textwrap.dedent(text))
    return info.value.problems


def test_value_problems_name_line_and_path() -> None:
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
    assert any(p.startswith("<test>:4: agencies[0].name.en: required, but missing") for p in problems)
    assert any(p.startswith("<test>:6: agencies[0].subsystems[0].code: the subsystem code") for p in problems)
    assert len(problems) == 3


def test_reference_problems_are_all_reported() -> None:
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


def test_service_without_provider_is_refused() -> None:
    problems = _problems(provider_topology().replace("    simulator: business\n", ""))
    assert any("no provider: give an endpoint URL, or a simulator" in p for p in problems)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("agencies: [\n  - code: x\n", "not valid YAML"),
        ("- just\n- a list\n", "expected a mapping"),
        ("instance: VN\nagencies: []\n", "agencies: needs at least 1 item(s)"),
    ],
)
def test_unusable_files(text: str, expected: str) -> None:
    assert expected in "\n".join(_problems(text))


def test_unreadable_file_is_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(TopologyError, match="cannot read the topology file"):
        load_registry(tmp_path / "missing.yaml", adapters.BUILTIN, sim.BUILTIN)


TWO_MISTAKES = """\
instance: VN
agencies:
  - code: 000.00.00.G01
    name: {vi: "Bộ Công an", en: "Ministry of Public Security"}
    subsystems:
      - code: CSDLQGDC
        name: {vi: "Cơ sở dữ liệu quốc gia về dân cư", en: "National Population Database"}
        simulatr_options: {}
        simulator: populaton
        services:
          - {code: TraCuuThongTinCongDan, adapter: populaton}
"""


def test_two_mistakes_are_reported_at_once_with_did_you_mean() -> None:
    """Issue 16: an unknown key used to hide the reference problems until it was fixed."""
    assert _problems(TWO_MISTAKES) == [
        "<test>:8: agencies[0].subsystems[0].simulatr_options: unknown key 'simulatr_options'; "
        "did you mean 'simulator_options'?",
        "<test>:9: agencies[0].subsystems[0].simulator: unknown simulator 'populaton'; did you mean 'population'?",
        "<test>:11: agencies[0].subsystems[0].services[0].adapter: unknown adapter 'populaton'; "
        "did you mean 'population'?",
    ]


def test_a_document_too_wrong_for_a_spec_still_has_its_names_checked() -> None:
    problems = _problems(
        TWO_MISTAKES.replace("simulatr_options: {}", "log_bodies: perhaps").replace(
            "adapter: populaton}", "adapter: populaton, methods: [GTE], timeout: -1}"
        )
    )
    assert problems == [
        "<test>:8: agencies[0].subsystems[0].log_bodies: expected true or false, got 'perhaps'",
        "<test>:9: agencies[0].subsystems[0].simulator: unknown simulator 'populaton'; did you mean 'population'?",
        "<test>:11: agencies[0].subsystems[0].services[0].methods[0]: 'GTE' is not one of GET, POST, PUT, PATCH, "
        "DELETE; did you mean 'GET'?",
        "<test>:11: agencies[0].subsystems[0].services[0].timeout: must be greater than 0, got -1",
        "<test>:11: agencies[0].subsystems[0].services[0].adapter: unknown adapter 'populaton'; "
        "did you mean 'population'?",
    ]


def test_no_message_is_pydantic_wording() -> None:
    text = "\n".join(
        _problems(
            """\
            instance: VN
            agencie: []
            tiers: {slow: {rate: fast, burst: 1, brust: 2}}
            faults: [{id: f, target: x, kind: latency, rate: 2}]
            """
        )
    )
    for wording in ("Extra inputs are not permitted", "Field required", "Input should", "Value error"):
        assert wording not in text
    assert "agencie: unknown key 'agencie'; did you mean 'agencies'?" in text
    assert "agencies: required, but missing" in text
    assert "tiers.slow.rate: expected a number, got 'fast'" in text
    assert "tiers.slow.brust: unknown key 'brust'; did you mean 'burst'?" in text
    assert "faults[0].rate: must be 1 or less, got 2" in text


def test_an_unknown_key_without_a_close_match_lists_the_keys_allowed() -> None:
    text = "\n".join(_problems(TWO_MISTAKES.replace("simulatr_options: {}", "colour: blue")))
    assert "unknown key 'colour'; allowed here: code, name, simulator, simulator_options, message_log" in text


def test_the_lgsp_hcm_topology_is_built_in_and_runs_in_front_of_ngsp() -> None:
    """`--topology lgsp-hcm` names the built-in file: an LGSP (upstream client H29/LGSP) with national
    services forwarded and a connection model on each local client."""
    registry = load_registry(Path("lgsp-hcm"), adapters.BUILTIN, sim.BUILTIN)
    assert registry.upstream is not None and str(registry.upstream.client) == "VN/GOV/000.00.00.H29/LGSP"
    assert registry.upstream.url is None and registry.tier == "lgsp"
    national = {str(s.id) for s in registry.services.values() if s.upstream}
    assert "VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan" in national
    models = {str(s.id): s.model for s in registry.subsystems.values() if s.model}
    assert models == {
        "VN/GOV/000.00.00.H29/MOTCUA": "lgsp_ngsp",
        "VN/GOV/000.00.00.H29/QLVB": "lgsp",
        "VN/GOV/000.00.00.H29/YTE": "ngsp",
    }


def test_upstream_services_and_lgsp_credentials_are_checked() -> None:
    """An upstream service needs the topology's upstream and no endpoint; a secret_key or app_name needs
    an access_key; an access key may not repeat a consumer key."""
    text = provider_topology(upstream=True, client={"access_key": "motcua-hcm", "secret_key": "s-0123456789abcdef"})
    problems = "\n".join(_problems(text))
    assert "an upstream service needs the topology's 'upstream'" in problems
    assert "key 'motcua-hcm' is used twice" in problems
    assert "app_name needs an access_key" in "\n".join(_problems(provider_topology(client={"app_name": "x"})))
