"""The synthetic country: reproducible, structurally valid, and internally consistent."""

from __future__ import annotations

from pydantic import TypeAdapter

from ngsp_sim.sim import DEMO_BUSINESS, DEMO_CITIZEN, Country
from schemas.administrative_units import UNIT_TABLES, UNITS_CURRENT, current_unit
from schemas.business import ChiTietDoanhNghiepResponse
from schemas.common import CCCD, MST
from schemas.population import Citizen


def test_same_seed_same_country_other_seed_other_country() -> None:
    a, b, c = Country.generate(5, 800, 50), Country.generate(5, 800, 50), Country.generate(6, 800, 50)
    assert a.citizens == b.citizens and a.businesses == b.businesses
    assert set(a.citizens) != set(c.citizens)
    assert a.citizens[DEMO_CITIZEN] == c.citizens[DEMO_CITIZEN]  # demo records do not depend on the seed


def test_every_citizen_is_valid_and_its_number_matches_birth_and_sex() -> None:
    country = Country.generate(9, 1500, 10)
    cccd = TypeAdapter(CCCD)
    for number, record in country.citizens.items():
        Citizen.model_validate(record)
        cccd.validate_python(number)
        year = int(record["NgayThangNamSinh"]["NgayThangNam"][:4])
        digit = int(number[3])
        assert 1900 + 100 * (digit // 2) + int(number[4:6]) == year
        assert (digit % 2 == 1) == (record["GioiTinh"] == "2")  # odd century digit: female
        assert record["NoiDangKyKhaiSinh"]["MaTinhThanh"] == number[1:3]  # the pre-merger code, kept
        # Today's address is in a unit of the 2025-07 table, the one that took the birth province over.
        assert record["ThuongTru"]["MaTinhThanh"] in UNIT_TABLES[UNITS_CURRENT]
        assert record["ThuongTru"]["MaTinhThanh"] == current_unit(number[:3]) or record["ChuHo"]["QuanHe"] == "Con"


def test_families_and_households_reference_real_citizens() -> None:
    country = Country.generate(9, 3000, 10)
    people = country.citizens
    children = [r for r in people.values() if r.get("Cha", {}).get("SoDinhDanh")]
    assert len(children) > 100
    for child in children:
        father = people[child["Cha"]["SoDinhDanh"]]
        assert father["GioiTinh"] == "1" and child["HoVaTen"]["Ho"] == father["HoVaTen"]["Ho"]
        assert father["NgayThangNamSinh"]["NgayThangNam"] < child["NgayThangNamSinh"]["NgayThangNam"]
    for record in people.values():
        head = people[record["ChuHo"]["SoDinhDanh"]]
        assert head["SoSoHoKhau"] == record["SoSoHoKhau"]
        assert head["ThuongTru"] == record["ThuongTru"]


def test_businesses_have_valid_tax_codes_and_answer_the_schema() -> None:
    country = Country.generate(9, 100, 300)
    mst = TypeAdapter(MST)
    assert DEMO_BUSINESS in country.businesses
    for code, record in country.businesses.items():
        mst.validate_python(code)
        ChiTietDoanhNghiepResponse.model_validate({"Status": 1, **record})
