"""The integrator's own tests: their connector against a simulated platform (the ngsp_hub fixture of
``pip install ngsp-sim``). Nothing here comes from ngsp-sim's own test suite."""

from __future__ import annotations

import pytest
from my_connector import ConnectorError, OneStopConnector

DOSSIER = {
    "MaHoSo": "000.00.00.H29-251121-0042",
    "MaTTHC": "1.001612",
    "TenTTHC": "Đăng ký thường trú",
    "MaLinhVuc": "CUTRU",
    "TenLinhVuc": "Đăng ký, quản lý cư trú",
    "KenhThucHien": 2,
    "ChuHoSo": "Nguyễn Văn An",
    "LoaiDoiTuong": 1,
    "SoGiayToChuHoSo": "079090001234",
    "TrichYeuHoSo": "Đăng ký thường trú",
    "NgayTiepNhan": "20251121090000",
    "NgayHenTra": "20251128170000",
    "TrangThaiHoSo": 2,
    "DonViXuLy": "Công an phường Sài Gòn",
}


def test_my_connector_sends_a_valid_DongBoHoSoMC(ngsp_hub):
    answer = OneStopConnector(ngsp_hub.url).sync_dossier(DOSSIER)

    assert answer["error_code"] == 0
    [sent] = ngsp_hub.messages(service="DongBoHoSoMC")
    assert sent.succeeded and sent.violations == []
    assert sent.client == "VN/GOV/000.00.00.H29/MOTCUA"
    assert sent.request["data"][0]["MaHoSo"] == DOSSIER["MaHoSo"]


def test_a_wrong_date_is_refused_with_its_location(ngsp_hub):
    with pytest.raises(ConnectorError) as refused:
        OneStopConnector(ngsp_hub.url).sync_dossier({**DOSSIER, "NgayHenTra": "2025-11-28"})

    assert refused.value.status == 400
    [sent] = ngsp_hub.messages(service="DongBoHoSoMC")
    assert [v["pointer"] for v in sent.violations] == ["/data/0/NgayHenTra"]


def test_an_outage_of_the_portal_reaches_my_connector_as_an_error(ngsp_hub):
    ngsp_hub.inject_fault("dvcqg-down", target="VN/GOV/000.00.00.G22/DVCQG", kind="outage")
    with pytest.raises(ConnectorError) as failed:
        OneStopConnector(ngsp_hub.url).sync_dossier(DOSSIER)
    assert failed.value.status >= 500

    ngsp_hub.clear_fault("dvcqg-down")
    assert OneStopConnector(ngsp_hub.url).sync_dossier(DOSSIER)["error_code"] == 0


@pytest.mark.ngsp_hub(seed=7, population=50)
def test_a_client_the_platform_does_not_know_is_refused(ngsp_hub):
    assert "VN/GOV/000.00.00.H29/MOTCUA" in ngsp_hub.clients
    with pytest.raises(ConnectorError) as refused:
        OneStopConnector(ngsp_hub.url, client="VN/GOV/000.00.00.H99/MOTCUA").sync_dossier(DOSSIER)
    assert refused.value.error_type is not None


def test_the_platform_received_exactly_what_my_connector_sent(ngsp_hub):
    connector = OneStopConnector(ngsp_hub.url)
    connector.sync_dossier(DOSSIER)
    connector.sync_dossier({**DOSSIER, "TrangThaiHoSo": 4}, updating=True)

    ngsp_hub.assert_called("DongBoHoSoMC", times=2, client="VN/GOV/000.00.00.H29/MOTCUA")
    ngsp_hub.assert_called("DongBoHoSoMC", times=1, body_matches={"isUpdating": True, "data": [{"TrangThaiHoSo": 4}]})
    ngsp_hub.assert_not_called("TraCuuHoSo")
    ngsp_hub.assert_no_violations()
    assert [call.request["isUpdating"] for call in ngsp_hub.calls("DongBoHoSoMC")] == [False, True]


def test_a_failed_verification_shows_what_the_platform_received(ngsp_hub):
    OneStopConnector(ngsp_hub.url).sync_dossier(DOSSIER)

    with pytest.raises(AssertionError) as failed:  # deliberately wrong: another dossier code
        ngsp_hub.assert_called("DongBoHoSoMC", body_matches={"data": [{"MaHoSo": "000.00.00.H29-251121-0043"}]})

    assert str(failed.value).splitlines() == [
        'expected a call of DongBoHoSoMC with a body matching {"data":[{"MaHoSo":"000.00.00.H29-251121-0043"}]} '
        "at least once, but the hub received 0 such call(s).",
        "The hub received 1 exchange(s):",
        "  #1 VN/GOV/000.00.00.H29/MOTCUA -> VN/GOV/000.00.00.G22/DVCQG/DongBoHoSoMC (200): "
        '/data/0/MaHoSo: expected "000.00.00.H29-251121-0043", got "000.00.00.H29-251121-0042"',
    ]
