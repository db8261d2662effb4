"""VSIC 2018 as shipped (vungxanh/domain/vsic.py), tested against the real file."""

import csv
import hashlib

import pytest

from vungxanh.domain import vsic

# PROVENANCE.md: the sha256 of the file as first written; the shipped copy must be it.
SHIPPED_SHA256 = "cdb01367333b4fad720fb9091dfcf43e526f0669773cb647501c102a95101f1d"


@pytest.fixture(scope="module")
def classification():
    return vsic.load_vsic()


def test_the_shipped_file_is_the_one_the_provenance_describes():
    assert hashlib.sha256(vsic.DATA_FILE.read_bytes()).hexdigest() == SHIPPED_SHA256
    assert (vsic.DATA_DIR / "PROVENANCE.md").is_file()


def test_counts_per_level_match_provenance(classification):
    counts = [classification.count(level) for level in range(1, 6)]
    assert counts == [21, 88, 242, 464, 734]
    assert len(classification) == 1549


def test_load_is_cached():
    assert vsic.load_vsic() is vsic.load_vsic()


@pytest.mark.parametrize(
    ("code", "level", "name_vi", "parents"),
    [
        ("A", 1, "NÔNG NGHIỆP, LÂM NGHIỆP VÀ THUỶ SẢN", ()),
        ("01", 2, "Nông nghiệp và hoạt động dịch vụ có liên quan", ("A",)),
        ("011", 3, "Trồng cây hàng năm", ("A", "01")),
        ("0111", 4, "Trồng lúa", ("A", "01", "011")),
        ("01110", 5, "Trồng lúa", ("A", "01", "011", "0111")),
        ("01192", 5, None, ("A", "01", "011", "0119")),
    ],
)
def test_lookup_every_level_keeps_leading_zeros(classification, code, level, name_vi, parents):
    entry = classification.lookup(code)
    assert entry.code == code
    assert entry.level == level
    assert entry.parents == parents
    assert entry.section == "A"
    assert entry.parent == (parents[-1] if parents else None)
    if name_vi is not None:
        assert entry.name_vi == name_vi
    assert entry.name_en is None  # the shipped file has Vietnamese names only


def test_lookup_normalises_spaces_dots_and_case(classification):
    assert classification.lookup(" 47.11 ").code == "4711"
    assert classification.lookup("g").code == "G"
    assert classification.lookup(None) is None
    assert classification.lookup("") is None


def test_lookup_returns_none_for_codes_not_in_the_data(classification):
    assert classification.lookup("1110") is None  # "01110" with its zero lost
    assert classification.lookup("V") is None  # VSIC 2025's 22nd section, not 2018
    assert classification.lookup("47901") is None


def test_every_parent_chain_is_consistent(classification):
    for entry in classification:
        if entry.level == 1:
            assert entry.parents == () and entry.section == entry.code
            continue
        assert len(entry.parents) == entry.level - 1
        assert classification.lookup(entry.parent) is not None
        assert entry.parents[0] == entry.section
        # digit codes: each parent is the code without its last digit
        digits = (*entry.parents[1:], entry.code)
        for above, below in zip(digits, digits[1:], strict=False):
            assert below[:-1] == above


@pytest.mark.parametrize(
    ("code", "section"),
    [
        ("A", "A"),
        ("03", "A"),
        ("05", "B"),
        ("1079", "C"),
        ("33", "C"),
        ("4101", "F"),
        ("42", "F"),
        ("43900", "F"),
        ("45", "G"),
        ("47111", "G"),
        ("5610", "I"),
        ("86", "Q"),
        ("99000", "U"),
    ],
)
def test_section_of_known_codes(classification, code, section):
    assert classification.section_of(code) == section
    assert vsic.section_of(code) == section


def test_section_of_a_code_under_a_missing_class_comes_from_its_division(classification):
    assert classification.lookup("4790") is None
    assert classification.section_of("47901") == "G"


@pytest.mark.parametrize("code", ["", "Z", "00", "4x11", "471101", "4"])
def test_section_of_unknown_or_malformed_is_none(classification, code):
    assert classification.section_of(code) is None


def test_check_accepts_a_known_code_with_its_entry(classification):
    result = classification.check("47111")
    assert result.ok and not result.class_missing
    assert result.entry.name_vi
    assert result.section == "G"


def test_check_accepts_a_subclass_whose_class_is_missing_when_its_group_exists(classification):
    # Group 479 is in the data; class 4790 is not (level 4 holds 464 of the 486 classes).
    assert classification.lookup("479") is not None
    assert classification.lookup("4790") is None
    result = classification.check("47900")
    assert result.ok
    assert result.class_missing
    assert result.entry is None
    assert result.group.code == "479"
    assert result.section == "G"
    assert classification.check("4790").class_missing


def test_check_refuses_an_unknown_subclass_of_a_known_class(classification):
    # Level 5 is complete: class 4711 is known and has 47111, 47112 and 47119 only.
    assert classification.lookup("4711") is not None
    result = classification.check("47110")
    assert result.problem == vsic.PROBLEM_UNKNOWN
    assert result.params["code"] == "47110"


def test_check_refuses_a_code_whose_group_is_missing(classification):
    assert classification.lookup("019") is None
    result = classification.check("01901")
    assert result.problem == vsic.PROBLEM_UNKNOWN
    assert not result.class_missing


def test_check_suggests_the_lost_leading_zero(classification):
    result = classification.check(1110)  # a spreadsheet cell that held 01110 as a number
    assert result.problem == vsic.PROBLEM_UNKNOWN
    assert result.params == {"code": "1110", "suggestion": "01110"}
    assert classification.check("99999").params["suggestion"] == ""


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("", vsic.PROBLEM_EMPTY),
        ("   ", vsic.PROBLEM_EMPTY),
        (None, vsic.PROBLEM_EMPTY),
        ("4", vsic.PROBLEM_SHAPE),
        ("471101", vsic.PROBLEM_SHAPE),
        ("47a1", vsic.PROBLEM_SHAPE),
        ("GG", vsic.PROBLEM_SHAPE),
    ],
)
def test_check_reports_empty_and_malformed_codes(classification, code, problem):
    assert classification.check(code).problem == problem


def test_check_min_level_refuses_a_coarser_code(classification):
    result = classification.check("47", min_level=vsic.CLASS_LEVEL)
    assert result.problem == vsic.PROBLEM_TOO_COARSE
    assert result.params == {"code": "47", "level": 2, "suggestion": ""}
    assert classification.check("4711", min_level=vsic.CLASS_LEVEL).ok


def test_a_class_that_lost_its_leading_zero_is_suggested_not_called_broad(classification):
    result = classification.check(111, min_level=vsic.CLASS_LEVEL)  # 0111 stored as a number
    assert result.problem == vsic.PROBLEM_TOO_COARSE
    assert result.params["suggestion"] == "0111"


def test_ancestors_of_known_and_missing_class_codes(classification):
    assert [e.code for e in classification.ancestors("47111")] == ["G", "47", "471", "4711"]
    assert [e.code for e in classification.ancestors("47900")] == ["G", "47", "479"]
    assert classification.ancestors("zz") == []


def test_a_file_with_an_orphan_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["level", "code", "name_vi", "parent_code"])
        writer.writerow(["1", "A", "X", ""])
        writer.writerow(["3", "011", "Y", "01"])
    with pytest.raises(ValueError, match="'01' is not in the data"):
        vsic.read_entries(path)


def test_an_optional_english_name_column_is_read(tmp_path):
    path = tmp_path / "en.csv"
    path.write_text(
        "level,code,name_vi,parent_code,name_en\n1,A,NÔNG NGHIỆP,,AGRICULTURE\n",
        encoding="utf-8",
    )
    assert vsic.read_entries(path)["A"].name_en == "AGRICULTURE"
