"""The same person is the same in every agency, and interlinked flows cross agencies through the hub."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from ngsp_sim.clock import ManualClock
from ngsp_sim.contracts.examples import EXAMPLES
from ngsp_sim.sim import DEMO_CITIZEN, DEMO_DOSSIER, Country
from ngsp_sim.sim.country import DEMO_CIVIL_DOSSIER
from tests.helpers import HOTICH, MOTCUA, POPULATION, MakeHub, lookup_body

BHXH = "/r1/VN/GOV/000.00.19.G12/CSDLBHXH/getMaSoBhxhTheoTieuChi"
CIVIL = "/r1/VN/GOV/000.00.00.G15/HOTICH/dangKyHoTich"
CIVIL_STATUS = "/r1/VN/GOV/000.00.00.G15/HOTICH/traTrangThaiHoSo"
VERIFY = "/r1/VN/GOV/000.00.00.G01/CSDLQGDC/XacThucThongTinCongDan"
H = {"X-Road-Client": MOTCUA}


def full_name(record: dict[str, Any]) -> str:
    n = record["HoVaTen"]
    return " ".join(p for p in (n["Ho"], n.get("ChuDem"), n["Ten"]) if p)


async def citizen(hub: Any, number: str) -> dict[str, Any]:
    resp = await hub.post(POPULATION, json=lookup_body(SoDinhDanh=number), headers=H)
    (found,) = (await resp.json())["CongdanCollection"]["CongDan"]
    return dict(found)


async def test_a_citizen_of_the_population_db_is_the_same_in_social_insurance(hub: TestClient[Any, Any]) -> None:
    person = await citizen(hub, DEMO_CITIZEN)
    query = {
        "hoTen": full_name(person),
        "ngaySinh": person["NgayThangNamSinh"]["NgayThangNam"],
        "gioiTinh": int(person["GioiTinh"]),
        "maTinhKs": person["NoiDangKyKhaiSinh"]["MaTinhThanh"],
        "isKs": True,
    }
    for client in (MOTCUA, HOTICH):
        resp = await hub.post(BHXH, json=query, headers={"X-Road-Client": client})
        (match,) = (await resp.json())["data"]
        assert match["maSoBhxh"] == Country.social_insurance_number(DEMO_CITIZEN)
        assert (match["hoTen"], match["ngaySinh"]) == (full_name(person), query["ngaySinh"])


async def test_generated_citizens_are_consistent_across_agencies_too(make_hub: MakeHub) -> None:
    hub = await make_hub()  # make_hub's country is Country.generate(7, 50, 10): the same citizens
    numbers = [n for n in Country.generate(7, 50, 10).citizens if n != DEMO_CITIZEN][:5]
    for number in numbers:
        person = await citizen(hub, number)
        resp = await hub.post(
            BHXH,
            json={
                "hoTen": full_name(person),
                "ngaySinh": person["NgayThangNamSinh"]["NgayThangNam"],
                "gioiTinh": int(person["GioiTinh"]),
                "maTinhKs": person["NoiDangKyKhaiSinh"]["MaTinhThanh"],
                "isKs": True,
            },
            headers=H,
        )
        numbers_found = {m["maSoBhxh"] for m in (await resp.json())["data"]}
        assert Country.social_insurance_number(number) in numbers_found
        verify = lookup_body(
            MaTichHop="033", SoDinhDanh=number, HoVaTen=full_name(person), NgayThangNamSinh=person["NgayThangNamSinh"]
        )
        assert (await (await hub.post(VERIFY, json=verify, headers=H)).json())["TonTai"] is True


async def test_birth_registered_at_civil_status_is_then_in_the_population_db(hub: TestClient[Any, Any]) -> None:
    birth = {
        "maDonVi": "000.00.00.H29",
        "module": "LTKS",
        "maHoSo": "000.00.00.H29-251121-0200",
        "ngayTiepNhan": "20251121",
        "data": {
            "hoTen": "Nguyễn Minh Khang",
            "gioiTinh": "1",
            "ngaySinh": "20251110",
            "noiSinh": "Bệnh viện Từ Dũ",
            "soDinhDanhCha": DEMO_CITIZEN,
            "soDinhDanhMe": DEMO_CITIZEN,
        },
    }
    answer = await (await hub.post(CIVIL, json=birth, headers=H)).json()
    assert answer["status"] == 1
    child = await citizen(hub, answer["soDinhDanhMoi"])
    assert full_name(child) == "Nguyễn Minh Khang"
    assert child["Cha"]["SoDinhDanh"] == DEMO_CITIZEN and child["ChuHo"]["QuanHe"] == "Con"
    assert answer["soDinhDanhMoi"].startswith("079225")  # 079 HCMC, 2 = male born 2000s, 25 = 2025
    again = await (await hub.post(CIVIL, json=birth, headers=H)).json()
    assert (again["status"], again["errorCode"]) == (0, 101)
    status = await (
        await hub.post(CIVIL_STATUS, json={"maDonVi": "000.00.00.H29", "maHoSo": birth["maHoSo"]}, headers=H)
    ).json()
    assert (status["status"], status["module"]) == (1, "LTKS")


async def test_civil_status_refuses_people_the_population_db_does_not_know(hub: TestClient[Any, Any]) -> None:
    death = {
        "maDonVi": "000.00.00.H29",
        "module": "LTKT",
        "maHoSo": "000.00.00.H29-251121-0300",
        "ngayTiepNhan": "20251121",
        "data": {"soDinhDanh": "001090999999", "ngayChet": "20251120", "noiChet": "Hà Nội"},
    }
    answer = await (await hub.post(CIVIL, json=death, headers=H)).json()
    assert (answer["status"], answer["errorCode"]) == (0, 106)
    unknown = await (
        await hub.post(
            CIVIL_STATUS, json={"maDonVi": "000.00.00.H29", "maHoSo": "000.00.00.H29-251121-0999"}, headers=H
        )
    ).json()
    assert unknown["errorCode"] == 201


DVCQG = "/r1/VN/GOV/000.00.00.G22/DVCQG"
TAX = "/r1/VN/GOV/000.00.18.G12/THUE"
THANH_HOA = {"X-Road-Client": "VN/GOV/000.00.00.H56/MOTCUA"}


async def test_progress_updates_move_the_dossier_at_dvcqg(hub: TestClient[Any, Any]) -> None:
    step = {
        "MaHoSo": "000.00.00.H29-251121-0001",
        "NguoiXuLy": "Trần Văn Bình",
        "ChucDanh": "Cán bộ một cửa",
        "ThoiDiemXuLy": "20251122100000",
        "NoiDungXuLy": "Đã có kết quả",
        "TrangThai": 9,
    }
    answer = await (await hub.post(f"{DVCQG}/CapNhatTienDoHoSoMC", json={"data": [step]}, headers=H)).json()
    assert answer["error_code"] == 0
    found = await (await hub.post(f"{DVCQG}/TraCuuHoSo", json={"MaHoSo": step["MaHoSo"]}, headers=H)).json()
    assert found["result"]["TrangThaiHoSo"] == 9
    unknown = {**step, "MaHoSo": "000.00.00.H29-251121-0999"}
    refused = await (await hub.post(f"{DVCQG}/CapNhatTienDoHoSoMC", json={"data": [unknown]}, headers=H)).json()
    assert refused["error_code"] != 0 and "000.00.00.H29-251121-0999" in refused["message"]


async def test_procedures_catalog(hub: TestClient[Any, Any]) -> None:
    listed = await (await hub.post(f"{DVCQG}/LayDanhSachTTHC", json={"MaLinhVuc": "HOTICH"}, headers=THANH_HOA)).json()
    assert {p["TenTTHC"] for p in listed["result"]} == {"Đăng ký khai sinh", "Đăng ký khai tử"}
    one = await (await hub.post(f"{DVCQG}/LayThuTuc", json={"MaTTHC": "2.000488"}, headers=THANH_HOA)).json()
    assert one["result"]["TenTTHC"] == "Cấp Phiếu lý lịch tư pháp"
    missing = await (await hub.post(f"{DVCQG}/LayThuTuc", json={"MaTTHC": "9.999999"}, headers=THANH_HOA)).json()
    assert missing["error_code"] != 0


async def test_land_dossier_tax_notice_then_receipt(hub: TestClient[Any, Any]) -> None:
    from ngsp_sim.hub.runtime import HUB
    from ngsp_sim.identifiers import SubsystemId

    notice = {
        "MaDonVi": "000.00.00.H29",
        "MaHoSo": "000.00.00.H29-251121-0001",
        "MaSoThue": "0312345673",
        "SoTien": 2_500_000,
    }
    issued = await (await hub.post(f"{TAX}/ThongBaoThue", json=notice, headers=H)).json()
    assert (issued["MaLoi"], issued["TrangThaiThanhToan"]) == ("00", 0)
    query = {"MaSoThue": "0312345673", "SoQuyetDinh": issued["SoQuyetDinh"]}
    assert (await (await hub.post(f"{TAX}/ChungTuThue", json=query, headers=H)).json())["TrangThaiThanhToan"] == 0
    tax = hub.app[HUB].agencies[SubsystemId.parse("VN/GOV/000.00.18.G12/THUE")]
    tax.pay("0312345673", issued["SoQuyetDinh"])  # what the payment platform's confirmation will do
    paid = await (await hub.post(f"{TAX}/ChungTuThue", json=query, headers=H)).json()
    assert paid["TrangThaiThanhToan"] == 1 and paid["BienLai"]["SoTien"] == 2_500_000
    bad = await hub.post(f"{TAX}/ThongBaoThue", json={**notice, "MaSoThue": "0312345678"}, headers=H)
    assert (await bad.json())["violations"][0]["rule"] == "mst_checksum"


async def test_business_registration_dossier_status(hub: TestClient[Any, Any]) -> None:
    url = "/r1/VN/GOV/000.00.00.G12/CSDLDKDN/tinhTrangHoSo"
    found = await (await hub.get(f"{url}?in_journal_no=250000001", headers=THANH_HOA)).json()
    assert (found["Status"], found["ENTERPRISE_GDT_CODE"]) == (1, "0312345673")
    assert (await (await hub.get(f"{url}?in_journal_no=250009999", headers=THANH_HOA)).json())["Status"] == 0


async def test_other_provinces_have_the_one_stop_group_rights_only(hub: TestClient[Any, Any]) -> None:
    verify = lookup_body(MaTichHop="033", HoVaTen="Nguyễn Văn An", NgayThangNamSinh={"NgayThangNam": "19900515"})
    assert (await (await hub.post(VERIFY, json=verify, headers=THANH_HOA)).json())["TonTai"] is True
    denied = await hub.post(POPULATION, json=lookup_body(), headers=THANH_HOA)
    assert denied.headers["X-Road-Error"] == "Server.ServerProxy.AccessDenied"


LLTP_URL = "/r1/VN/GOV/000.00.00.G15/LLTP"
PAY = "/r1/VN/GOV/000.00.00.G22/THANHTOAN"
DMDC = "/r1/VN/GOV/000.00.00.G22/DMDC"


async def test_criminal_record_application_then_status_polling_on_the_clock(
    hub: TestClient[Any, Any], clock: ManualClock
) -> None:
    application = {
        "MA_DON_VI": "000.00.00.H56",
        "MA_HO_SO": "000.00.00.H56-251121-0001",
        "HO_TEN": "Nguyễn Văn An",
        "SO_DINH_DANH": DEMO_CITIZEN,
        "NGAY_SINH": "19900515",
        "LOAI_PHIEU": 1,
        "MUC_DICH": "Bổ sung hồ sơ xin việc",
    }
    answer = await (await hub.post(f"{LLTP_URL}/nhanHoSoDangKy", json=application, headers=THANH_HOA)).json()
    assert answer["STATUS"] == 1
    states = []
    for days in (0, 3, 2):
        clock.advance(days * 86_400)
        status = await hub.post(f"{LLTP_URL}/traTrangThaiHs", json={"ID": answer["ID"]}, headers=THANH_HOA)
        states.append((await status.json())["TRANG_THAI"])
    assert states == [3, 4, 5]
    wrong = {**application, "HO_TEN": "Nguyễn Văn Ân", "MA_HO_SO": "000.00.00.H56-251121-0002"}
    refused = await (await hub.post(f"{LLTP_URL}/nhanHoSoDangKy", json=wrong, headers=THANH_HOA)).json()
    assert refused["STATUS"] == 0 and "không khớp" in refused["MESSAGE"]


async def test_online_payment_init_confirmation_shows_on_the_dossier(
    hub: TestClient[Any, Any], clock: ManualClock
) -> None:
    from tests.helpers import payment_init

    started = await (await hub.post(f"{PAY}/KhoiTaoGiaoDich", json=payment_init("TT-42"), headers=H)).json()
    assert started["error_code"] == "00" and started["message"]["UrlThanhToan"].endswith("/MOTCUA-HCM/TT-42")
    query = {"MaDoiTac": "MOTCUA-HCM", "MaThamChieu": "TT-42"}
    assert (await (await hub.post(f"{PAY}/TraCuuGiaoDich", json=query, headers=H)).json())["TrangThai"] == 0
    clock.advance(60)  # the simulated citizen pays
    paid = await (await hub.post(f"{PAY}/TraCuuGiaoDich", json=query, headers=H)).json()
    assert paid["TrangThai"] == 1 and paid["MaGiaoDich"]
    dossier = await (
        await hub.post(f"{DVCQG}/TraCuuHoSo", json={"MaHoSo": "000.00.00.H29-251121-0001"}, headers=H)
    ).json()
    assert dossier["result"]["DanhSachLePhi"][-1]["Gia"] == 20000
    forged = payment_init("TT-43", secret="not-the-secret")
    refused = await (await hub.post(f"{PAY}/KhoiTaoGiaoDich", json=forged, headers=H)).json()
    assert (refused["error_code"], refused["message"]["MaLoi"]) == ("02", "02")
    tampered = {**payment_init("TT-44"), "SoTien": 1}  # signed for 20,000, sent for 1
    assert (await (await hub.post(f"{PAY}/KhoiTaoGiaoDich", json=tampered, headers=H)).json())["error_code"] == "02"
    again = await (await hub.post(f"{PAY}/KhoiTaoGiaoDich", json=payment_init("TT-42"), headers=H)).json()
    assert again["error_code"] == "03"


async def test_reference_lists_are_versioned(hub: TestClient[Any, Any]) -> None:
    units = await (await hub.get(f"{DMDC}/danhMucDonViHanhChinh?capDonVi=1", headers=THANH_HOA)).json()
    assert units["PhienBan"] == "2025-07" and len(units["Data"]) == 34  # the default: since 1 July 2025
    assert {"Ma": "79", "Ten": "Thành phố Hồ Chí Minh"} in units["Data"]
    assert {"Ma": "46", "Ten": "Thành phố Huế"} in units["Data"] and "74" not in {u["Ma"] for u in units["Data"]}
    older = await (await hub.get(f"{DMDC}/danhMucDonViHanhChinh?phienBan=2025-01", headers=THANH_HOA)).json()
    assert older["PhienBan"] == "2025-01" and len(older["Data"]) == 63  # the pre-merger table stays readable
    assert {"Ma": "74", "Ten": "Bình Dương"} in older["Data"]
    unknown = await (await hub.get(f"{DMDC}/danhMucDonViHanhChinh?phienBan=2024-01", headers=THANH_HOA)).json()
    assert unknown["Status"] == 0 and "2025-01, 2025-07" in unknown["Message"] and not unknown.get("Data")
    ethnic = await (await hub.get(f"{DMDC}/danhMucDanToc", headers=THANH_HOA)).json()
    assert ethnic["Data"][0] == {"Ma": "01", "Ten": "Kinh"}
    other = await (await hub.get(f"{DMDC}/danhMucDanToc?phienBan=2019-01", headers=THANH_HOA)).json()
    assert other["Status"] == 0 and "2025-01" in other["Message"]


PORTAL = {"X-Road-Client": "VN/GOV/000.00.00.G22/DVCQG"}
THANH_HOA_ONE_STOP = "/r1/VN/GOV/000.00.00.H56/MOTCUA"
APPLICATION = {
    "MaTTHC": "1.004227.000.00.00.H56",
    "KenhThucHien": 2,
    "ChuHoSo": "Nguyễn Văn An",
    "SoGiayToChuHoSo": DEMO_CITIZEN,
    "NgaySinhChuHoSo": "19900515",
    "TrichYeuHoSo": "Đăng ký khai sinh cho con",
}


async def test_one_stop_receives_checks_the_applicant_and_syncs_dvcqg_through_the_hub(
    hub: TestClient[Any, Any],
) -> None:
    answer = await (await hub.post(f"{THANH_HOA_ONE_STOP}/TiepNhanHoSo", json=APPLICATION, headers=PORTAL)).json()
    assert answer["KetQua"] == 1 and answer["DongBoDVCQG"] is True
    code = answer["MaHoSo"]
    assert code.startswith("000.00.00.H56-")
    at_dvcqg = await (await hub.post(f"{DVCQG}/TraCuuHoSo", json={"MaHoSo": code}, headers=H)).json()
    assert at_dvcqg["result"]["TenTTHC"] == "Đăng ký khai sinh" and at_dvcqg["result"]["TrangThaiHoSo"] == 2
    from ngsp_sim.hub.runtime import HUB
    from ngsp_sim.store import MessageQuery

    runtime = hub.app[HUB]
    await runtime.message_log.flush()
    by_thanh_hoa = await runtime.store.list_messages(MessageQuery(client="VN/GOV/000.00.00.H56/MOTCUA"))
    assert {m.service.rsplit("/", 1)[1] for m in by_thanh_hoa} == {"XacThucThongTinCongDan", "DongBoHoSoMC"}


async def test_one_stop_dossier_moves_on_when_stepped_and_with_the_clock(
    hub: TestClient[Any, Any], clock: ManualClock
) -> None:
    code = (await (await hub.post(f"{THANH_HOA_ONE_STOP}/TiepNhanHoSo", json=APPLICATION, headers=PORTAL)).json())[
        "MaHoSo"
    ]
    stepped = await (
        await hub.post(f"{THANH_HOA_ONE_STOP}/ChuyenBuocHoSo", json={"MaHoSo": code}, headers=PORTAL)
    ).json()
    assert (stepped["TrangThaiHoSo"], stepped["DongBoDVCQG"]) == (4, True)
    clock.advance(2 * 86_400)  # two days: processed, then returned
    later = await (
        await hub.post(f"{THANH_HOA_ONE_STOP}/TraCuuTrangThaiHoSo", json={"MaHoSo": code}, headers=PORTAL)
    ).json()
    assert later["TrangThaiHoSo"] == 10
    at_dvcqg = await (await hub.post(f"{DVCQG}/TraCuuHoSo", json={"MaHoSo": code}, headers=H)).json()
    assert at_dvcqg["result"]["TrangThaiHoSo"] == 10


async def test_one_stop_refuses_an_applicant_the_population_db_does_not_confirm(hub: TestClient[Any, Any]) -> None:
    wrong = {**APPLICATION, "NgaySinhChuHoSo": "19910515"}
    answer = await (await hub.post(f"{THANH_HOA_ONE_STOP}/TiepNhanHoSo", json=wrong, headers=PORTAL)).json()
    assert answer["KetQua"] == 0 and "CSDL quốc gia về dân cư" in answer["MoTa"]


async def test_population_db_outage_reaches_the_one_stop_counter(hub: TestClient[Any, Any]) -> None:
    """Scenario 10: the population database goes down; the counter cannot confirm applicants."""
    from tests.helpers import ADMIN

    outage = {"target": "VN/GOV/000.00.00.G01/CSDLQGDC", "kind": "outage"}
    assert (await hub.put("/api/v1/faults/popdb-down", json=outage, headers=ADMIN)).status == 200
    refused = await (await hub.post(f"{THANH_HOA_ONE_STOP}/TiepNhanHoSo", json=APPLICATION, headers=PORTAL)).json()
    assert refused["KetQua"] == 0
    assert (await hub.delete("/api/v1/faults/popdb-down", headers=ADMIN)).status == 200
    recovered = await (await hub.post(f"{THANH_HOA_ONE_STOP}/TiepNhanHoSo", json=APPLICATION, headers=PORTAL)).json()
    assert recovered["KetQua"] == 1


async def test_a_fault_in_a_nested_exchange_marks_only_that_exchange(hub: TestClient[Any, Any]) -> None:
    """The one-stop system checks the applicant through the hub while it answers: the population outage
    hits that inner exchange, and the outer one (the portal's call to the one-stop system) is not marked
    with it, because each exchange carries its own context through the transports."""
    from ngsp_sim.hub.runtime import HUB
    from ngsp_sim.store import MessageQuery
    from tests.helpers import ADMIN

    outage = {"target": "VN/GOV/000.00.00.G01/CSDLQGDC", "kind": "outage"}
    assert (await hub.put("/api/v1/faults/popdb-down", json=outage, headers=ADMIN)).status == 200
    refused = await (await hub.post(f"{THANH_HOA_ONE_STOP}/TiepNhanHoSo", json=APPLICATION, headers=PORTAL)).json()
    assert refused["KetQua"] == 0
    runtime = hub.app[HUB]
    await runtime.message_log.flush()
    logged = await runtime.store.list_messages(MessageQuery(limit=100))
    injected = {m.service.rsplit("/", 1)[1]: m.injected for m in logged}
    assert injected == {"XacThucThongTinCongDan": "outage:popdb-down", "TiepNhanHoSo": None}


async def test_the_stable_demo_records_are_known_alike_to_every_agency_that_holds_them(
    hub: TestClient[Any, Any],
) -> None:
    """A fresh hub: DVCQG and Hồ Chí Minh City's one-stop system both know the demo dossier; the civil-status
    system knows the demo citizen's birth registration; a dossier received on the demo day gets a new code."""
    one_stop = "/r1/VN/GOV/000.00.00.H29/MOTCUA"
    national = await (await hub.post(f"{DVCQG}/TraCuuHoSo", json={"MaHoSo": DEMO_DOSSIER}, headers=H)).json()
    assert national["error_code"] == 0 and national["result"]["TrangThaiHoSo"] == 4
    dvcqg = {"X-Road-Client": "VN/GOV/000.00.00.G22/DVCQG"}
    local = await (
        await hub.post(f"{one_stop}/TraCuuTrangThaiHoSo", json={"MaHoSo": DEMO_DOSSIER}, headers=dvcqg)
    ).json()
    assert (local["KetQua"], local["TrangThaiHoSo"]) == (1, 4)
    stepped = await (await hub.post(f"{one_stop}/ChuyenBuocHoSo", json={"MaHoSo": DEMO_DOSSIER}, headers=dvcqg)).json()
    assert (stepped["KetQua"], stepped["TrangThaiHoSo"], stepped["DongBoDVCQG"]) == (1, 9, True)
    national = await (await hub.post(f"{DVCQG}/TraCuuHoSo", json={"MaHoSo": DEMO_DOSSIER}, headers=H)).json()
    assert national["result"]["TrangThaiHoSo"] == 9
    birth = {"maDonVi": "000.00.00.H29", "maHoSo": DEMO_CIVIL_DOSSIER}
    registered = await (await hub.post(CIVIL_STATUS, json=birth, headers=H)).json()
    assert (registered["status"], registered["module"]) == (1, "LTKS")
    received = await hub.post(
        f"{one_stop}/TiepNhanHoSo", json=EXAMPLES[("one_stop", "TiepNhanHoSo")].payload, headers=dvcqg
    )
    code = (await received.json())["MaHoSo"]
    assert code.startswith("000.00.00.H29-251121-") and code != DEMO_DOSSIER
