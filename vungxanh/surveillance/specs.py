"""The columns of each import kind: what the template shows and how each cell is read.

Headers are accepted in Vietnamese (the template's) or as the field name, with accents
and case ignored. The notes are written for a ward official filling the file in Excel.
"""

from __future__ import annotations

from vungxanh.domain.areas import fold
from vungxanh.domain.tabular import Column, NotMoreThan, Spec

DETECTION_WORDS = {
    "community": [
        "community",
        "cộng đồng",
        "cong dong",
        "sàng lọc cộng đồng",
        "tầm soát",
        "cơ sở y tế",
        "sàng lọc",
    ],
    "quarantine": ["quarantine", "khu cách ly", "cách ly tập trung", "cách ly"],
    "home_isolation": ["home_isolation", "cách ly tại nhà", "tại nhà"],
    "lockdown": ["lockdown", "khu phong tỏa", "phong tỏa", "phong toả"],
    "imported": ["imported", "nhập cảnh", "ca nhập cảnh", "từ nơi khác về", "ngoại tỉnh"],
    "unknown": ["unknown", "không rõ", "chưa rõ"],
}
SEX_WORDS = {
    "F": ["F", "nữ", "nu", "female"],
    "M": ["M", "nam", "male"],
    "U": ["U", "không rõ", "unknown"],
}
VACCINATION_WORDS = {
    "none": ["none", "chưa tiêm", "0", "0 liều"],
    "one_dose": ["one_dose", "1 liều", "1", "một liều"],
    "full": ["full", "đủ liều", "2", "2 liều", "3 liều", "đã tiêm đủ"],
    "unknown": ["unknown", "không rõ"],
}
OUTCOME_WORDS = {
    "treatment": ["treatment", "đang điều trị", "điều trị"],
    "recovered": ["recovered", "khỏi", "khỏi bệnh", "xuất viện"],
    "died": ["died", "tử vong"],
    "unknown": ["unknown", "không rõ"],
}
AGE_WORDS = {
    band: [band, band.replace("-", " - "), band.replace("+", " trở lên")]
    for band in ["0-4", "5-11", "12-17", "18-49", "50-64", "65+"]
}
AGE_WORDS["unknown"] = ["unknown", "không rõ"]
SAMPLE_GROUP_WORDS = {
    "community": ["community", "cộng đồng"],
    "lockdown": ["lockdown", "khu phong tỏa", "phong tỏa"],
    "f1": ["f1"],
    "screening": ["screening", "sàng lọc", "tầm soát"],
    "other": ["other", "khác"],
}


def words(mapping: dict[str, list[str]]) -> dict[str, str]:
    return {fold(word): value for value, variants in mapping.items() for word in variants}


AREA = Column(
    "area",
    "area",
    "Địa bàn",
    "Mã đơn vị hành chính (ví dụ 31120) hoặc tên phường/xã (ví dụ Phường An Hòa; "
    "không phân biệt dấu, hoa thường)",
    "31120",
)
DATE = Column(
    "date", "date", "Ngày", "Ngày số liệu, dạng dd/mm/yyyy; không sau hôm nay", "23/09/2021"
)


def count(name: str, label: str, note: str, example: str = "0", required: bool = False) -> Column:
    return Column(
        name,
        "int",
        label,
        note + " Số nguyên ≥ 0; để trống nếu bằng 0.",
        example,
        required=required,
        within_population=True,
    )


def people(name: str, label: str, note: str, example: str, **options) -> Column:
    """A count of people, tests or beds of the row's area: at most its population allows."""
    return Column(name, "int", label, note, example, within_population=True, **options)


CASES = Spec(
    "cases",
    (
        Column(
            "case_code",
            "text",
            "Mã ca bệnh",
            "Mã ca bệnh (BN…) duy nhất; dùng để cập nhật ca đã nhập",
            "BN512345",
            max_length=40,
        ),
        AREA,
        Column(
            "confirmed_date",
            "date",
            "Ngày xác nhận",
            "Ngày có kết quả xét nghiệm dương tính khẳng định, dd/mm/yyyy",
            "23/09/2021",
        ),
        Column(
            "onset_date",
            "date",
            "Ngày khởi phát",
            "Ngày bắt đầu có triệu chứng (nếu có)",
            "20/09/2021",
            required=False,
        ),
        Column(
            "sample_date",
            "date",
            "Ngày lấy mẫu",
            "Ngày lấy mẫu xét nghiệm (nếu có)",
            "22/09/2021",
            required=False,
        ),
        Column(
            "report_date",
            "date",
            "Ngày báo cáo",
            "Ngày công bố/báo cáo (nếu khác ngày xác nhận)",
            "23/09/2021",
            required=False,
        ),
        Column(
            "detection",
            "choice",
            "Nơi phát hiện",
            "Cộng đồng / Khu cách ly / Cách ly tại "
            "nhà / Khu phong tỏa / Nhập cảnh. Chỉ ca “Cộng đồng” được tính là ca cộng đồng.",
            "Khu phong tỏa",
            choices=words(DETECTION_WORDS),
        ),
        Column(
            "age_band",
            "choice",
            "Nhóm tuổi",
            "0-4, 5-11, 12-17, 18-49, 50-64 hoặc 65+",
            "18-49",
            required=False,
            choices=words(AGE_WORDS),
        ),
        Column(
            "sex", "choice", "Giới tính", "Nam / Nữ", "Nữ", required=False, choices=words(SEX_WORDS)
        ),
        Column(
            "vaccination",
            "choice",
            "Tiêm chủng",
            "Chưa tiêm / 1 liều / Đủ liều",
            "1 liều",
            required=False,
            choices=words(VACCINATION_WORDS),
        ),
        Column(
            "outcome",
            "choice",
            "Tình trạng",
            "Đang điều trị / Khỏi bệnh / Tử vong",
            "Đang điều trị",
            required=False,
            choices=words(OUTCOME_WORDS),
        ),
        Column(
            "zone_ref",
            "text",
            "Khu phong tỏa",
            "Tên hoặc số quyết định khu phong tỏa liên quan (nếu có)",
            "QĐ 123/QĐ-UBND hẻm 51",
            required=False,
            max_length=80,
        ),
        Column(
            "full_name",
            "text",
            "Họ tên",
            "Thông tin cá nhân: chỉ cán bộ y tế xem được; không bắt buộc",
            "",
            required=False,
            max_length=150,
            personal=True,
        ),
        Column(
            "phone",
            "text",
            "Số điện thoại",
            "Thông tin cá nhân; không bắt buộc. Di động 10 chữ số (0912345678) hoặc số cố "
            "định có mã vùng (02923812345); có thể viết +84",
            "",
            required=False,
            max_length=30,
            personal=True,
            text_format="phone",
        ),
        Column(
            "id_number",
            "text",
            "Số CCCD/CMND",
            "Thông tin cá nhân; không bắt buộc. CCCD 12 chữ số, CMND 9 chữ số, hoặc số hộ chiếu",
            "",
            required=False,
            max_length=30,
            personal=True,
            text_format="id_number",
        ),
        Column(
            "address",
            "text",
            "Địa chỉ",
            "Thông tin cá nhân; không bắt buộc",
            "",
            required=False,
            max_length=300,
            personal=True,
        ),
    ),
    key=("case_code",),
    title_vi="Danh sách ca bệnh (F0)",
)

DAILY = Spec(
    "daily",
    (
        AREA,
        DATE,
        count(
            "community",
            "Ca cộng đồng",
            "Ca mới phát hiện qua sàng lọc cộng đồng hoặc tại cơ "
            "sở y tế (ngoài khu cách ly, phong tỏa).",
            "2",
        ),
        count(
            "quarantine",
            "Ca trong khu cách ly",
            "Ca mới phát hiện trong khu cách ly tập trung.",
            "5",
        ),
        count(
            "home_isolation",
            "Ca cách ly tại nhà",
            "Ca mới phát hiện khi đang cách ly tại nhà.",
            "1",
        ),
        count("lockdown", "Ca trong khu phong tỏa", "Ca mới phát hiện trong khu phong tỏa.", "7"),
        count("imported", "Ca nhập cảnh/từ nơi khác về", "Ca được cách ly ngay khi đến.", "0"),
        count("unknown", "Ca chưa rõ nơi phát hiện", "Ca mới chưa phân loại nơi phát hiện.", "0"),
        count("deaths", "Tử vong", "Số ca tử vong trong ngày.", "0"),
        Column(
            "source",
            "text",
            "Nguồn",
            "Văn bản hoặc báo cáo nguồn (không bắt buộc)",
            "Báo cáo nhanh TTYT quận",
            required=False,
        ),
    ),
    key=("area", "date"),
    title_vi="Số ca mắc mới theo ngày",
)

TESTS = Spec(
    "tests",
    (
        AREA,
        DATE,
        Column(
            "sample_group",
            "choice",
            "Nhóm mẫu",
            "Cộng đồng / Khu phong tỏa / F1 / Sàng lọc / Khác",
            "Khu phong tỏa",
            choices=words(SAMPLE_GROUP_WORDS),
        ),
        people("performed", "Số mẫu xét nghiệm", "Số mẫu đã có kết quả trong ngày", "1200"),
        people("positive", "Số mẫu dương tính", "Số mẫu dương tính trong ngày", "3"),
    ),
    key=("area", "date", "sample_group"),
    title_vi="Xét nghiệm theo nhóm mẫu",
    # The database refuses more positives than tests (surveillance_tests_positive_le_performed).
    rules=(NotMoreThan("positive", "performed"),),
)

VACCINATION = Spec(
    "vaccination",
    (
        AREA,
        DATE,
        people(
            "adults",
            "Dân số từ 18 tuổi",
            "Mẫu số: số người từ 18 tuổi trở lên (thường trú và tạm trú)",
            "24000",
            min_value=1,
        ),
        people("adults_one_dose", "Người ≥18 tuổi đã tiêm ≥1 liều", "Tử số TC2", "23100"),
        people("adults_full", "Người ≥18 tuổi tiêm đủ liều", "", "15000"),
        people(
            "aged_50_plus", "Dân số từ 50 tuổi", "Mẫu số (không bắt buộc)", "7000", required=False
        ),
        people("aged_50_plus_full", "Người ≥50 tuổi tiêm đủ liều", "", "5600", required=False),
        people(
            "aged_65_plus", "Dân số từ 65 tuổi", "Mẫu số (không bắt buộc)", "2500", required=False
        ),
        people("aged_65_plus_full", "Người ≥65 tuổi tiêm đủ liều", "", "2050", required=False),
    ),
    key=("area", "date"),
    title_vi="Độ bao phủ vắc xin",
    rules=(
        NotMoreThan("adults_one_dose", "adults"),
        NotMoreThan("adults_full", "adults_one_dose"),
        NotMoreThan("aged_50_plus_full", "aged_50_plus"),
        NotMoreThan("aged_65_plus_full", "aged_65_plus"),
    ),
)

CAPACITY = Spec(
    "capacity",
    (
        AREA,
        DATE,
        people(
            "treatment_beds",
            "Giường điều trị",
            "Tổng số giường điều trị COVID-19",
            "120",
            required=False,
        ),
        people(
            "treatment_beds_occupied",
            "Giường đang sử dụng",
            "Số giường đang có người bệnh",
            "80",
            required=False,
        ),
        people("icu_beds", "Giường hồi sức tích cực", "Số giường ICU", "10", required=False),
        Column("station_oxygen", "bool", "Trạm y tế có oxy", "Có / Không", "Có", required=False),
        people(
            "mobile_stations", "Trạm y tế lưu động", "Số trạm y tế lưu động", "2", required=False
        ),
    ),
    key=("area", "date"),
    title_vi="Năng lực thu dung, điều trị",
)

SPECS = {spec.kind: spec for spec in (CASES, DAILY, TESTS, VACCINATION, CAPACITY)}
# The accepted words of each choice column, with accents, as the template and the report
# show them (registered with vungxanh.imports in SurveillanceConfig.ready).
CHOICE_WORDS = (
    DETECTION_WORDS,
    SEX_WORDS,
    VACCINATION_WORDS,
    OUTCOME_WORDS,
    AGE_WORDS,
    SAMPLE_GROUP_WORDS,
)
