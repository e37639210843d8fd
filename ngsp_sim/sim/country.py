"""One seeded synthetic country shared by every simulated agency: the same person is the same
everywhere, and the same seed gives the same country.

The demo records documented in the README are always present and fixed; the rest is generated. Names
come from Faker's ``vi_VN`` vocabulary and street names from a ``vi_VN`` Faker seeded with the country's
seed; the country's own ``random.Random(seed)`` draws from those pools, which keeps generation fast
(100,000 citizens in about a second) and exactly reproducible. Citizens live in households (one head,
one household book number ``SoSoHoKhau``) and the younger ones have parents who are citizens too, so
the references between records resolve. Everything is synthetic and resembles real data in form only.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from typing import Any

from faker import Faker
from faker.providers.person.vi_VN import Provider as VnNames
from stdnum.vn import mst

from schemas.administrative_units import UNIT_TABLES, UNITS_CURRENT, current_unit
from schemas.reference import PROVINCES

__all__ = [
    "DEMO_BUSINESS",
    "DEMO_CITIZEN",
    "DEMO_CIVIL_DOSSIER",
    "DEMO_DOSSIER",
    "DEMO_JOURNAL",
    "PROCEDURES",
    "Country",
]

DEMO_CITIZEN = "079090001234"
DEMO_BUSINESS = "0312345673"
DEMO_DOSSIER = "000.00.00.H29-251121-0001"
DEMO_JOURNAL = "250000001"
DEMO_CIVIL_DOSSIER = "000.00.00.H29-900520-0001"
"""The demo citizen's own birth registration, as the civil-status system keeps it."""

# A small procedure catalog; codes have the national form, names and details are illustrative.
PROCEDURES: tuple[dict[str, Any], ...] = tuple(
    {
        "MaTTHC": code,
        "TenTTHC": name,
        "MaLinhVuc": field_code,
        "TenLinhVuc": field_name,
        "CoQuanThucHien": body,
        "CapThucHien": level,
        "ThoiHanGiaiQuyet": days,
        "PhiLePhi": fee,
    }
    for code, name, field_code, field_name, body, level, days, fee in (
        (
            "1.001612",
            "Đăng ký thường trú",
            "CUTRU",
            "Đăng ký, quản lý cư trú",
            "Công an cấp xã",
            "Cấp xã",
            "7 ngày làm việc",
            20000,
        ),
        ("1.004227", "Đăng ký khai sinh", "HOTICH", "Hộ tịch", "UBND cấp xã", "Cấp xã", "Trong ngày", 0),
        ("1.000656", "Đăng ký khai tử", "HOTICH", "Hộ tịch", "UBND cấp xã", "Cấp xã", "Trong ngày", 0),
        (
            "2.000488",
            "Cấp Phiếu lý lịch tư pháp",
            "LLTP",
            "Lý lịch tư pháp",
            "Sở Tư pháp",
            "Cấp tỉnh",
            "10 ngày",
            200000,
        ),
        (
            "1.001046",
            "Đăng ký thành lập doanh nghiệp",
            "DKKD",
            "Đăng ký kinh doanh",
            "Sở Tài chính",
            "Cấp tỉnh",
            "3 ngày làm việc",
            50000,
        ),
        (
            "1.003010",
            "Đăng ký biến động đất đai",
            "DATDAI",
            "Đất đai",
            "Văn phòng đăng ký đất đai",
            "Cấp tỉnh",
            "10 ngày",
            0,
        ),
    )
)

_SURNAMES = list(VnNames.last_names)
_MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Xuân"]
_MIDDLE_F = ["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Kim", "Thúy", "Bích"]
_GIVEN_M = list(VnNames.first_names_male)
_GIVEN_F = list(VnNames.first_names_female)
_ETHNIC = ["Kinh"] * 9 + ["Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "H'Mông"]


def _birth_place(province: str, detail: str) -> dict[str, str]:
    """Where a birth was registered: the pre-July-2025 unit, as the identity number records it."""
    return {"MaTinhThanh": province[1:], "ChiTiet": f"{detail}, {PROVINCES[province]}"}


def _address(province: str, detail: str) -> dict[str, str]:
    """An address today: the ``2025-07`` unit that now holds the pre-merger ``province`` (no district)."""
    unit = current_unit(province)
    return {"MaTinhThanh": unit, "ChiTiet": f"{detail}, {UNIT_TABLES[UNITS_CURRENT][unit]}"}


def _streets(seed: int, count: int = 400) -> list[str]:
    fake = Faker("vi_VN")
    fake.seed_instance(seed)
    return [fake.street_name() for _ in range(count)]


def _citizen(
    number: str, ho: str, dem: str, ten: str, sex: int, birth: str, *, cmnd: str | None = None
) -> dict[str, Any]:
    province = number[:3]
    home = _address(province, "Số 12 đường Lê Lợi")
    record: dict[str, Any] = {
        "SoDinhDanh": number,
        "HoVaTen": {"Ho": ho, "ChuDem": dem, "Ten": ten},
        "GioiTinh": str(sex),
        "DanToc": "Kinh",
        "TonGiao": "Không",
        "TinhTrangHonNhan": "1",
        "NgayThangNamSinh": {"NgayThangNam": birth},
        "NoiDangKyKhaiSinh": _birth_place(province, "Số 12 đường Lê Lợi"),
        "QueQuan": home,
        "ThuongTru": home,
        "NoiOHienTai": home,
    }
    if cmnd:
        record["SoCMND"] = cmnd
    return record


# The stable demo dossier: permanent-residence registration of the demo citizen, processing.
DEMO_DOSSIER_RECORD: dict[str, Any] = {
    "MaHoSo": DEMO_DOSSIER,
    "MaTTHC": "1.001612",
    "TenTTHC": "Đăng ký thường trú",
    "MaLinhVuc": "CUTRU",
    "TenLinhVuc": "Đăng ký, quản lý cư trú",
    "KenhThucHien": 2,
    "ChuHoSo": "Nguyễn Văn An",
    "LoaiDoiTuong": 1,
    "SoGiayToChuHoSo": DEMO_CITIZEN,
    "TrichYeuHoSo": "Đăng ký thường trú tại phường Sài Gòn",
    "NgayTiepNhan": "20251121083000",
    "NgayHenTra": "20251128170000",
    "TrangThaiHoSo": 4,
    "DonViXuLy": "Công an phường Sài Gòn",
}


@dataclass
class Country:
    seed: int
    citizens: dict[str, dict[str, Any]] = field(default_factory=dict)
    businesses: dict[str, dict[str, Any]] = field(default_factory=dict)
    dossiers: dict[str, dict[str, Any]] = field(default_factory=dict)
    business_dossiers: dict[str, dict[str, Any]] = field(default_factory=dict)
    civil_registrations: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Civil-status dossiers (hộ tịch) registered before the hub started: ``{module, trangThai}``."""

    @classmethod
    def generate(cls, seed: int, population: int = 1000, businesses: int = 200) -> Country:
        country = cls(seed)
        country._add_demo_records()
        rng = random.Random(seed)
        streets = _streets(seed)
        provinces = sorted(PROVINCES)
        while len(country.citizens) < population + 1:
            year = rng.randint(1940, 2020)
            female = rng.random() < 0.5
            digit = (0 if year < 2000 else 2) + (1 if female else 0)
            number = f"{rng.choice(provinces)}{digit}{year % 100:02d}{rng.randint(0, 999_999):06d}"
            if number in country.citizens:
                continue
            dem = rng.choice(_MIDDLE_F if female else _MIDDLE_M)
            ten = rng.choice(_GIVEN_F if female else _GIVEN_M)
            birth = f"{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            record = _citizen(number, rng.choice(_SURNAMES), dem, ten, 2 if female else 1, birth)
            record["DanToc"] = rng.choice(_ETHNIC)
            home = _address(number[:3], f"Số {rng.randint(1, 300)} {rng.choice(streets)}")
            record.update(ThuongTru=home, NoiOHienTai=home)
            country.citizens[number] = record
        country._link_families(rng)
        while len(country.businesses) < businesses + 1:
            stem = f"0{rng.randint(10_000_000, 99_999_999)}"
            check = mst.calc_check_digit(stem)
            if len(check) != 1:  # no valid tax code has this stem
                continue
            code = stem + check
            owner = rng.choice(list(country.citizens.values()))["HoVaTen"]
            name = f"CÔNG TY TNHH {rng.choice(_GIVEN_M + _GIVEN_F).upper()} {rng.randint(1, 99)}"
            country.businesses.setdefault(
                code, _business(code, name, f"{owner['Ho']} {owner['ChuDem']} {owner['Ten']}")
            )
        return country

    @staticmethod
    def social_insurance_number(number: str) -> str:
        """The person's BHXH number: 2 digits of province, 8 derived from the citizen number, so every
        agency agrees on it without storing it twice."""
        return number[1:3] + f"{int(hashlib.sha256(number.encode()).hexdigest(), 16) % 10**8:08d}"

    def register_birth(self, full_name: str, sex: str, born: str, mother: str, father: str | None) -> str:
        """Add a newborn (registered at civil status) to the population; returns its citizen number."""
        province = mother[:3]
        year = int(born[:4])
        digit = 2 * ((year - 1900) // 100) + (1 if sex == "2" else 0)
        serial = 900_000 + sum(1 for n in self.citizens if n.startswith(f"{province}{digit}{year % 100:02d}9"))
        number = f"{province}{digit}{year % 100:02d}{serial:06d}"
        parts = full_name.split()
        ho, ten, dem = parts[0], parts[-1], " ".join(parts[1:-1])
        record = _citizen(number, ho, dem, ten, int(sex), born)
        head = self.citizens[father or mother]
        for role, parent in (("Cha", father), ("Me", mother)):
            if parent:
                p = self.citizens[parent]["HoVaTen"]
                record[role] = {
                    "HoVaTen": f"{p['Ho']} {p['ChuDem']} {p['Ten']}",
                    "SoDinhDanh": parent,
                    "QuocTich": "VN",
                }
        name = head["HoVaTen"]
        record["ChuHo"] = {
            "QuanHe": "Con",
            "HoVaTen": f"{name['Ho']} {name['ChuDem']} {name['Ten']}",
            "SoDinhDanh": father or mother,
        }
        record["SoSoHoKhau"] = head.get("SoSoHoKhau", "")
        record["ThuongTru"] = record["NoiOHienTai"] = head["ThuongTru"]
        self.citizens[number] = record
        return number

    def _link_families(self, rng: random.Random) -> None:
        """Parents for citizens born from 1975 (a citizen of the same province, 20-40 years older, of
        the right sex), and households: each adult heads one, and lives there with their children."""
        by_place: dict[tuple[str, int, str], list[str]] = {}
        for number, r in self.citizens.items():
            if number == DEMO_CITIZEN:
                continue
            year = int(r["NgayThangNamSinh"]["NgayThangNam"][:4])
            by_place.setdefault((number[:3], year, r["GioiTinh"]), []).append(number)
        oldest_first = sorted(self.citizens.items(), key=lambda item: item[1]["NgayThangNamSinh"]["NgayThangNam"])
        for number, r in oldest_first:
            if number == DEMO_CITIZEN or "ChuHo" in r:
                continue
            year = int(r["NgayThangNamSinh"]["NgayThangNam"][:4])
            parents = {}
            if year >= 1975:
                for role, sex in (("Cha", "1"), ("Me", "2")):
                    for _ in range(6):
                        pool = by_place.get((number[:3], year - rng.randint(20, 40), sex))
                        if pool:
                            parents[role] = rng.choice(pool)
                            break
            if "Cha" in parents:  # children take their father's family name
                r["HoVaTen"]["Ho"] = self.citizens[parents["Cha"]]["HoVaTen"]["Ho"]
            for role, parent in parents.items():
                p = self.citizens[parent]["HoVaTen"]
                r[role] = {"HoVaTen": f"{p['Ho']} {p['ChuDem']} {p['Ten']}", "SoDinhDanh": parent, "QuocTich": "VN"}
            head = parents.get("Cha") or parents.get("Me")
            if head and year >= 2004:  # a minor lives in a parent's household
                head_record = self.citizens[head]
                self._household(head, head_record)
                name = head_record["HoVaTen"]
                r["ChuHo"] = {
                    "QuanHe": "Con",
                    "HoVaTen": f"{name['Ho']} {name['ChuDem']} {name['Ten']}",
                    "SoDinhDanh": head,
                }
                r["SoSoHoKhau"] = head_record["SoSoHoKhau"]
                r["ThuongTru"] = r["NoiOHienTai"] = head_record["ThuongTru"]
            else:
                self._household(number, r)

    @staticmethod
    def _household(number: str, record: dict[str, Any]) -> None:
        if "SoSoHoKhau" not in record:
            name = record["HoVaTen"]
            record["SoSoHoKhau"] = number[:3] + number[-6:]
            record["ChuHo"] = {
                "QuanHe": "Chủ hộ",
                "HoVaTen": f"{name['Ho']} {name['ChuDem']} {name['Ten']}",
                "SoDinhDanh": number,
            }

    def _add_demo_records(self) -> None:
        self.citizens[DEMO_CITIZEN] = _citizen(DEMO_CITIZEN, "Nguyễn", "Văn", "An", 1, "19900515", cmnd="025123456") | {
            "Cha": {"HoVaTen": "Nguyễn Văn Bình", "QuocTich": "VN"},
            "Me": {"HoVaTen": "Trần Thị Hoa", "QuocTich": "VN"},
            "ChuHo": {"QuanHe": "Chủ hộ", "HoVaTen": "Nguyễn Văn An", "SoDinhDanh": DEMO_CITIZEN},
            "SoSoHoKhau": "790123456",
        }
        self.businesses[DEMO_BUSINESS] = _business(DEMO_BUSINESS, "CÔNG TY TNHH CÔNG NGHỆ SỐ SAO MAI", "Nguyễn Văn An")
        self.business_dossiers[DEMO_JOURNAL] = {
            "IN_JOURNAL_NO": DEMO_JOURNAL,
            "ENTERPRISE_GDT_CODE": DEMO_BUSINESS,
            "STATUS_ID": 3,
            "STATUS_NAME": "Đã cấp giấy chứng nhận đăng ký doanh nghiệp",
        }
        self.dossiers[DEMO_DOSSIER] = dict(DEMO_DOSSIER_RECORD)
        self.civil_registrations[DEMO_CIVIL_DOSSIER] = {"module": "LTKS", "trangThai": 3}


def _business(code: str, name: str, representative: str) -> dict[str, Any]:
    return {
        "MainInformation": {
            "ENTERPRISE_GDT_CODE": code,
            "ENTERPRISE_TYPE_ID": "2",
            "ENTERPRISE_TYPE_NAME": "Công ty trách nhiệm hữu hạn một thành viên",
            "NAME": name,
            "SHORT_NAME": name.removeprefix("CÔNG TY TNHH ").title(),
            "FOUNDING_DATE": "2018-03-15",
            "ENTERPRISE_STATUS": "Đang hoạt động",
            "LEGAL_NAMES": [representative],
            "CAPITAL_AMOUNT": 5_000_000_000,
        },
        "HOAdress": {
            "CityID": "79",
            "DistrictID": "760",
            "WardID": "26734",
            "AddressFullText": "Số 1 Nguyễn Huệ, Phường Sài Gòn, TP. Hồ Chí Minh",
        },
        "BusinessActivity": [
            {"CODE": "6201", "NAME": "Lập trình máy vi tính", "IS_MAIN": True},
            {"CODE": "6202", "NAME": "Tư vấn máy vi tính và quản trị hệ thống máy vi tính", "IS_MAIN": False},
        ],
        "Member": [{"FULL_NAME": representative, "POSITION": "Chủ sở hữu", "CAPITAL_RATIO": 100.0}],
    }
