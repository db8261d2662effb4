"""The columns of the "establishments" import: what the template shows, how cells are read.

The tax code and the VSIC code are read as text here and checked by the establishment's
own rules (``validation.clean``), so a file's cell and a form's field get the same message.
"""

from __future__ import annotations

from vungxanh.domain.areas import fold
from vungxanh.domain.tabular import Column, Spec
from vungxanh.economy import bounds

KIND = "establishments"
KIND_WORDS = {
    "household": ["household", "hộ kinh doanh", "hộ kd", "hkd", "hộ cá thể"],
    "enterprise": ["enterprise", "doanh nghiệp", "dn", "công ty"],
}


def words(mapping: dict[str, list[str]]) -> dict[str, str]:
    """Folded accepted word -> stored value (accents and case ignored when reading)."""
    return {fold(word): value for value, variants in mapping.items() for word in variants}


SPEC = Spec(
    KIND,
    (
        Column(
            "tax_code",
            "text",
            "Mã số thuế",
            "10 chữ số, hoặc 13 chữ số cho chi nhánh, địa điểm kinh doanh (0123456789-001). "
            "Định dạng ô là Văn bản (Text) để giữ số 0 đầu. Dùng để cập nhật cơ sở đã nhập.",
            "0100233488",
            max_length=20,
        ),
        Column(
            "name",
            "text",
            "Tên cơ sở",
            "Tên đăng ký",
            "Cửa hàng tạp hóa Minh Anh",
            max_length=bounds.NAME_MAX,
        ),
        Column(
            "kind",
            "choice",
            "Loại hình",
            "Hộ kinh doanh / Doanh nghiệp",
            "Hộ kinh doanh",
            choices=words(KIND_WORDS),
        ),
        Column(
            "vsic_code",
            "text",
            "Mã ngành VSIC",
            "Ngành kinh tế chính theo VSIC 2018 (QĐ 27/2018/QĐ-TTg): mã cấp 4 hoặc cấp 5, "
            "ví dụ 4711 hoặc 47111. Định dạng ô là Văn bản để giữ số 0 đầu (0111).",
            "4711",
            max_length=10,
        ),
        Column(
            "ward",
            "area",
            "Phường/xã",
            "Mã phường/xã (ví dụ 31120) hoặc tên (Phường An Hòa; không phân biệt dấu, hoa thường)",
            "31120",
        ),
        Column(
            "address",
            "text",
            "Địa chỉ",
            "Số nhà, đường, khu vực",
            "12 Trần Hưng Đạo",
            required=False,
            max_length=bounds.ADDRESS_MAX,
        ),
        Column(
            "workers",
            "int",
            "Số lao động",
            f"Số người lao động, từ {bounds.WORKERS_MIN} đến {bounds.WORKERS_MAX:,}".replace(
                ",", "."
            ),
            "5",
            required=False,
            min_value=bounds.WORKERS_MIN,
            max_value=bounds.WORKERS_MAX,
        ),
        Column("essential_goods", "bool", "Hàng thiết yếu", "Có / Không", "Có", required=False),
        Column(
            "goods",
            "text",
            "Mặt hàng thiết yếu",
            "Bắt buộc nếu là cơ sở sản xuất, kinh doanh hàng thiết yếu",
            "Lương thực, thực phẩm",
            required=False,
            max_length=bounds.GOODS_MAX,
        ),
        Column(
            "public_investment",
            "bool",
            "Công trình đầu tư công",
            "Có / Không; chỉ cho ngành xây dựng (VSIC 41–43)",
            "Không",
            required=False,
        ),
        Column(
            "investor",
            "text",
            "Chủ đầu tư",
            "Bắt buộc nếu là công trình đầu tư công",
            "",
            required=False,
            max_length=bounds.INVESTOR_MAX,
        ),
        Column(
            "phone",
            "text",
            "Điện thoại",
            "Di động 10 chữ số hoặc số cố định có mã vùng (02923812345)",
            "0912345678",
            required=False,
            max_length=bounds.PHONE_MAX,
            text_format="phone",
        ),
        Column(
            "email",
            "text",
            "Email",
            "Không bắt buộc",
            "",
            required=False,
            max_length=bounds.EMAIL_MAX,
        ),
    ),
    # Repeats of a tax code are judged after normalising it (services._duplicates):
    # the same establishment twice is harmless, two different ones under one code are not.
    key=(),
    title_vi="Danh sách cơ sở sản xuất, kinh doanh",
)
CHOICE_WORDS = (KIND_WORDS,)
