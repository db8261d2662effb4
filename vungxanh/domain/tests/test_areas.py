import pytest

from vungxanh.domain.areas import fold, fold_name, is_within, path_for


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Phường An Hòa", "an hoa"),
        ("phuong  AN HOÀ", "an hoa"),
        ("Quận Ninh Kiều", "ninh kieu"),
        ("Thành phố Cần Thơ", "can tho"),
        ("Thị trấn Thới Lai", "thoi lai"),
        ("Xã Đông Hiệp", "dong hiep"),
        ("Hưng Lợi", "hung loi"),
    ],
)
def test_fold_name_drops_accents_case_and_unit_prefix(name, expected):
    assert fold_name(name) == expected


def test_fold_keeps_the_prefix():
    assert fold("Phường Thới Bình") == "phuong thoi binh"


def test_paths_nest_by_whole_keys():
    province = path_for("VN/", "92")
    district = path_for(province, "916")
    assert district == "VN/92/916/"
    assert is_within(district, province)
    # "VN/9/" must not contain "VN/92/": keys end with the separator.
    assert not is_within(province, path_for("VN/", "9"))


def test_path_for_refuses_a_separator_in_the_key():
    with pytest.raises(ValueError, match="may not contain"):
        path_for("VN/", "92/916")
