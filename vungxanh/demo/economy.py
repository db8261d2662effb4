"""The demo's establishments: about 2,000 simulated businesses in Ninh Kiều's 11 wards.

No public register of Ninh Kiều's establishments exists, so the demo simulates one, labelled
so on every row (``simulated``) and in every name ("(mô phỏng)" is not repeated in each name:
the list and the pages show the "MÔ PHỎNG" badge). What is real: the wards and their census
population (establishments are spread in proportion to it), the VSIC 2018 codes (each one is
checked against the shipped classification), and the investors of the city's public-investment
works (the city's project management boards named in ../shared/RULES-RECOVERY.md §2.5); the
works themselves are simulated.

The establishments are written as one import file through the establishments import service,
so the demo exercises the path a ward official uses, and a second run imports the same file and
changes nothing (deduplicated by tax code). Everything is seeded: the same run gives the same
businesses.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

from vungxanh.accounts.models import User
from vungxanh.areas.models import Area
from vungxanh.domain import vsic
from vungxanh.domain.taxcode import check_digit
from vungxanh.economy import services as economy
from vungxanh.economy.models import Establishment
from vungxanh.lib.spreadsheet import write_csv

NINH_KIEU = "916"
SEED = 20210923
TOTAL = 2000
FILE_NAME = "co-so-ninh-kieu-mo-phong.csv"
BUSINESS_USER = "doanhnghiep.demo"


@dataclass(frozen=True)
class Trade:
    """One kind of business of an urban district, and how common it is."""

    vsic_code: str
    weight: int
    name_patterns: tuple[str, ...]
    enterprise_share: float  # the rest are business households
    workers: tuple[int, int]
    essential_goods: str = ""  # the goods, when the trade sells essential goods


# An urban district's mix: shops and eateries first, then services, trade, small workshops.
TRADES: tuple[Trade, ...] = (
    Trade(
        "47119",
        180,
        ("Cửa hàng tạp hóa {p}", "Tạp hóa {p}"),
        0.05,
        (1, 4),
        "Lương thực, thực phẩm, nhu yếu phẩm",
    ),
    Trade("47112", 25, ("Siêu thị mini {p}",), 0.6, (4, 25), "Lương thực, thực phẩm, nhu yếu phẩm"),
    Trade("47223", 90, ("Sạp rau củ {p}", "Cửa hàng rau quả {p}"), 0.02, (1, 3), "Rau, củ, quả"),
    Trade("47221", 40, ("Sạp thịt {p}",), 0.02, (1, 3), "Thịt"),
    Trade("47222", 30, ("Sạp cá {p}",), 0.02, (1, 3), "Cá, thủy sản"),
    Trade("47210", 20, ("Đại lý gạo {p}",), 0.1, (1, 4), "Gạo, lương thực"),
    Trade("47721", 55, ("Nhà thuốc {p}", "Quầy thuốc {p}"), 0.15, (1, 5), "Thuốc, vật tư y tế"),
    Trade("46310", 20, ("Công ty TNHH Lương thực {p}",), 0.9, (5, 60), "Gạo, lương thực"),
    Trade("46329", 15, ("Công ty TNHH Thực phẩm {p}",), 0.9, (5, 80), "Thực phẩm"),
    Trade("56101", 230, ("Quán ăn {p}", "Nhà hàng {p}", "Quán cơm {p}"), 0.1, (2, 20)),
    Trade("56210", 20, ("Dịch vụ nấu ăn {p}",), 0.5, (3, 30)),
    Trade("56301", 170, ("Quán cà phê {p}", "Quán nước {p}"), 0.05, (1, 8)),
    Trade("47711", 90, ("Shop thời trang {p}",), 0.1, (1, 5)),
    Trade("47411", 45, ("Cửa hàng điện thoại {p}",), 0.2, (1, 6)),
    Trade("47592", 35, ("Cửa hàng đồ gia dụng {p}",), 0.15, (1, 5)),
    Trade("47300", 15, ("Cửa hàng xăng dầu {p}",), 0.8, (3, 12), "Xăng dầu"),
    Trade("96310", 110, ("Tiệm cắt tóc {p}", "Salon tóc {p}"), 0.02, (1, 4)),
    Trade("96390", 25, ("Spa {p}",), 0.2, (2, 10)),
    Trade("93110", 15, ("Phòng tập {p}",), 0.4, (2, 12)),
    Trade("93290", 15, ("Karaoke {p}",), 0.5, (3, 20)),
    Trade("55101", 40, ("Khách sạn {p}",), 0.7, (5, 60)),
    Trade("55102", 30, ("Nhà nghỉ {p}",), 0.2, (2, 8)),
    Trade("85590", 30, ("Trung tâm ngoại ngữ {p}",), 0.8, (3, 25)),
    Trade("45200", 50, ("Tiệm sửa xe {p}",), 0.05, (1, 5)),
    Trade("49321", 25, ("Công ty taxi {p}",), 0.95, (10, 120)),
    Trade("49331", 20, ("Vận tải hàng hóa {p}",), 0.8, (3, 40)),
    Trade("53200", 15, ("Dịch vụ giao hàng {p}",), 0.9, (5, 80), "Giao nhận hàng thiết yếu"),
    Trade("10710", 25, ("Lò bánh {p}",), 0.3, (2, 15), "Bánh mì"),
    Trade("14100", 20, ("Xưởng may {p}",), 0.7, (10, 150)),
    Trade("18110", 10, ("In ấn {p}",), 0.6, (3, 25)),
    Trade("41010", 20, ("Công ty xây dựng {p}",), 1.0, (10, 120)),
    Trade("43300", 20, ("Công ty nội thất {p}",), 0.9, (4, 30)),
    Trade("68101", 20, ("Công ty bất động sản {p}",), 1.0, (3, 30)),
    Trade("62010", 15, ("Công ty phần mềm {p}",), 1.0, (5, 60)),
    Trade("82990", 20, ("Dịch vụ văn phòng {p}",), 0.5, (1, 6)),
)

# The city's public-investment works in the demo: simulated works of the city's real project
# management boards (../shared/RULES-RECOVERY.md §2.5 names the boards, not the works).
PUBLIC_WORKS: tuple[tuple[str, str, str], ...] = (
    (
        "Công trình cải tạo, nâng cấp đường nội ô (mô phỏng)",
        "42120",
        "Ban Quản lý dự án đầu tư xây dựng thành phố Cần Thơ",
    ),
    (
        "Công trình kè chống sạt lở bờ sông Cần Thơ (mô phỏng)",
        "42910",
        "Ban Quản lý dự án đầu tư xây dựng thành phố Cần Thơ",
    ),
    (
        "Công trình trường trung học cơ sở (mô phỏng)",
        "41020",
        "Ban Quản lý dự án đầu tư xây dựng 2 thành phố Cần Thơ",
    ),
    (
        "Công trình trạm y tế phường (mô phỏng)",
        "41020",
        "Ban Quản lý dự án đầu tư xây dựng 2 thành phố Cần Thơ",
    ),
    (
        "Công trình nút giao thông và an toàn giao thông (mô phỏng)",
        "42120",
        "Ban Quản lý dự án các công trình giao thông, an toàn giao thông thành phố Cần Thơ",
    ),
    (
        "Công trình thoát nước, chống ngập (mô phỏng)",
        "42220",
        "Ban Quản lý dự án đầu tư xây dựng thành phố Cần Thơ",
    ),
)

GIVEN_NAMES = (
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Hạnh",
    "Hòa",
    "Hùng",
    "Khánh",
    "Lan",
    "Linh",
    "Lộc",
    "Mai",
    "Minh",
    "Nam",
    "Ngọc",
    "Nhung",
    "Phát",
    "Phúc",
    "Phương",
    "Quang",
    "Tâm",
    "Thảo",
    "Thành",
    "Thịnh",
    "Trang",
    "Trí",
    "Tuấn",
    "Vân",
    "Việt",
    "Yến",
)
STREETS = (
    "Nguyễn Trãi",
    "Trần Hưng Đạo",
    "Mậu Thân",
    "30 Tháng 4",
    "Nguyễn Văn Cừ",
    "Trần Văn Hoài",
    "Lý Tự Trọng",
    "Hòa Bình",
    "Ngô Quyền",
    "Hai Bà Trưng",
    "Phan Đình Phùng",
    "Võ Văn Tần",
    "Nguyễn Việt Hồng",
    "Cách Mạng Tháng 8",
    "Trần Phú",
    "Lê Lợi",
)
HEADER = [
    "tax_code",
    "name",
    "kind",
    "vsic_code",
    "ward",
    "address",
    "workers",
    "essential_goods",
    "goods",
    "public_investment",
    "investor",
    "phone",
]


def tax_code(rng: random.Random, used: set[str]) -> str:
    """A fresh 10-digit tax code of Cần Thơ's range (18…) with a valid check digit."""
    while True:
        first_nine = "18" + "".join(str(rng.randrange(10)) for _ in range(7))
        digit = check_digit(first_nine)
        if digit is None:
            continue  # no valid check digit for this base: take another
        code = f"{first_nine}{digit}"
        if code not in used:
            used.add(code)
            return code


def _wards() -> list[Area]:
    district = Area.objects.current().filter(code=NINH_KIEU).first()
    if district is None:
        return []
    return list(Area.objects.current().filter(parent=district).order_by("code"))


def _row(rng: random.Random, trade: Trade, ward: Area, used: set[str]) -> list:
    enterprise = rng.random() < trade.enterprise_share
    given = rng.choice(GIVEN_NAMES)
    name = rng.choice(trade.name_patterns).format(p=given)
    low, high = trade.workers
    return [
        tax_code(rng, used),
        name,
        "Doanh nghiệp" if enterprise else "Hộ kinh doanh",
        trade.vsic_code,
        ward.code,
        f"{rng.randrange(1, 400)} {rng.choice(STREETS)}, {ward.name}",
        rng.randint(low, high),
        "có" if trade.essential_goods else "không",
        trade.essential_goods,
        "không",
        "",
        f"0292{rng.randrange(3_000_000, 3_999_999)}",
    ]


def demo_rows(wards: list[Area], total: int = TOTAL, seed: int = SEED) -> list[list]:
    """The establishments as import rows: seeded, spread over the wards by population."""
    rng = random.Random(seed)
    used: set[str] = set()
    classification = vsic.load_vsic()
    for trade in TRADES:  # a trade with a code the classification lacks is a bug here
        if classification.lookup(trade.vsic_code) is None:
            raise ValueError(f"demo trade {trade.vsic_code} is not a VSIC 2018 code")
    populations = [max(ward.population or 0, 1) for ward in wards]
    weights = [trade.weight for trade in TRADES]
    rows = []
    for index, (name, code, investor) in enumerate(PUBLIC_WORKS):
        ward = wards[index % len(wards)]
        rows.append(
            [
                tax_code(rng, used),
                name,
                "Doanh nghiệp",
                code,
                ward.code,
                f"{ward.name}, Quận Ninh Kiều",
                rng.randint(20, 120),
                "không",
                "",
                "có",
                investor,
                "",
            ]
        )
    for _ in range(total - len(rows)):
        ward = rng.choices(wards, weights=populations)[0]
        trade = rng.choices(TRADES, weights=weights)[0]
        rows.append(_row(rng, trade, ward, used))
    return rows


def demo_file(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    write_csv(buffer, HEADER, rows)
    return buffer.getvalue().encode("utf-8")


def load_demo_establishments(stdout, total: int = TOTAL) -> int:
    """Import the demo's establishments (once); give the business account three of them."""
    wards = _wards()
    if not wards:
        return 0
    admin = User.objects.filter(username="quantri").first()
    data = demo_file(demo_rows(wards, total))
    result = economy.import_file("establishments", data, FILE_NAME, actor=admin, simulated=True)
    check = result.check
    if check.errors:
        raise RuntimeError(f"demo establishments refused: {check.errors[:3]}")
    _represent(admin)
    stdout.write(
        f"Establishments: {check.new} new, {check.corrected} changed, "
        f"{check.unchanged} unchanged (simulated)."
    )
    return check.new


def _represent(admin) -> None:
    """The business account represents one eatery, one shop and one workshop of An Hòa."""
    business = User.objects.filter(username=BUSINESS_USER).first()
    if business is None:
        return
    wanted = ("56101", "47110", "14100")
    for code in wanted:
        establishment = (
            Establishment.objects.filter(simulated=True, vsic_code=code, ward__code="31120")
            .order_by("tax_code")
            .first()
        )
        if establishment is None or establishment.representative_id == business.pk:
            continue
        economy.set_representative(
            establishment,
            business,
            actor=admin,
            reason="Demo: the business account represents this establishment.",
        )
