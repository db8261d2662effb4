"""Checks on the area data shipped in vungxanh/areas/data/ (no Django, no database).

The files are built by scripts/build_area_data.py; PROVENANCE.md next to them
documents the sources. A few checks compare against the read-only source data in
../shared/data (relative to the repository root), which must be present.
"""

import csv
import json
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import shapely
from shapely.geometry import shape

from vungxanh.lib.shared_data import shared_data_dir

DATA = Path(__file__).resolve().parents[1] / "data"
SHARED_DATA = shared_data_dir()
CENSUS_FLAT = SHARED_DATA / "population" / "census2019_population_by_commune_flat.csv"

CODE_LENGTH = {"province": 2, "district": 3, "commune": 5}
PARENT_KIND = {"district": "province", "commune": "district"}
UNIT_TYPES = {
    "province": {"Thành phố Trung ương", "Tỉnh"},
    "district": {"Quận", "Huyện", "Thị xã", "Thành phố"},
    "commune": {"Phường", "Xã", "Thị trấn"},
}
BASES = {
    "province": {"census-province-row"},
    "district": {"census-district-row", "sum-of-communes", "census-island-row", "not-enumerated"},
    "commune": {"census", "census-merged", "split-unresolved", "unmatched"},
}
BASES_WITHOUT_POPULATION = {"split-unresolved", "unmatched", "not-enumerated"}

NINH_KIEU_WARDS = {
    "31117": ("Phường Cái Khế", 22_106),
    "31120": ("Phường An Hòa", 31_268),
    "31123": ("Phường Thới Bình", 11_787),
    "31126": ("Phường An Nghiệp", 7_059),
    "31129": ("Phường An Cư", 15_656),
    "31135": ("Phường Tân An", 21_885),
    "31141": ("Phường An Phú", 10_380),
    "31144": ("Phường Xuân Khánh", 29_905),
    "31147": ("Phường Hưng Lợi", 43_332),
    "31149": ("Phường An Khánh", 52_429),
    "31150": ("Phường An Bình", 34_687),
}
CANTHO_DISTRICTS = ["916", "917", "918", "919", "923", "924", "925", "926", "927"]


@pytest.fixture(scope="module")
def units():
    with open(DATA / "units_2021.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {row["code"]: row for row in rows}


@pytest.fixture(scope="module")
def children(units):
    result = defaultdict(list)
    for row in units.values():
        result[row["parent_code"]].append(row)
    return result


def population(row) -> int:
    return int(row["population"])


def load_geojson(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def plain(name: str) -> str:
    """Lower case, no diacritics: enough to pair the 63 province names."""
    text = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d")).lower()
    return " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).split())


def census_provinces() -> dict[str, int]:
    """Province rows of the census (read from ../shared/data, which must exist)."""
    if not SHARED_DATA.is_dir():
        pytest.fail(
            f"Source data folder {SHARED_DATA} is missing; these tests compare the shipped "
            "files with ../shared/data (relative to the repository root)."
        )
    with open(CENSUS_FLAT, encoding="utf-8", newline="") as handle:
        return {
            plain(row["province_name"]): int(row["population_total"])
            for row in csv.DictReader(handle)
            if row["level"] == "province"
        }


# --- units_2021.csv ---------------------------------------------------------------------
def test_header_is_exact():
    """The CSV has exactly the documented columns, in order."""
    with open(DATA / "units_2021.csv", encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == [
        "code",
        "name",
        "kind",
        "unit_type",
        "parent_code",
        "population",
        "population_basis",
    ]


def test_counts_of_the_2021_organisation(units):
    """63 provinces, 705 districts and 10,603 communes."""
    counts = Counter(row["kind"] for row in units.values())
    assert counts == {"province": 63, "district": 705, "commune": 10_603}


def test_codes_are_digit_strings_of_the_right_length(units):
    """GSO codes keep their leading zeros: 2, 3 and 5 digits."""
    for code, row in units.items():
        assert code.isdigit(), code
        assert len(code) == CODE_LENGTH[row["kind"]], code


def test_parents_exist_one_level_up(units):
    """Provinces have no parent; every other unit's parent is one level up."""
    for row in units.values():
        if row["kind"] == "province":
            assert row["parent_code"] == ""
        else:
            assert units[row["parent_code"]]["kind"] == PARENT_KIND[row["kind"]], row["code"]


def test_rows_are_sorted_parents_first(units):
    """Rows are sorted by code length, then code."""
    codes = list(units)
    assert codes == sorted(codes, key=lambda code: (len(code), code))


def test_unit_types_and_bases_use_the_vocabulary(units):
    """unit_type and population_basis come from short, documented lists."""
    for row in units.values():
        assert row["unit_type"] in UNIT_TYPES[row["kind"]], row["code"]
        assert row["population_basis"] in BASES[row["kind"]], row["code"]


def test_population_is_empty_only_when_the_basis_says_so(units):
    """An empty population always comes with a basis that explains it."""
    for row in units.values():
        empty = row["population"] == ""
        assert empty == (row["population_basis"] in BASES_WITHOUT_POPULATION), row["code"]
        if not empty:
            assert population(row) >= 0


def test_at_least_99_5_percent_of_communes_have_a_population(units):
    """Only communes formed by splitting 2019 units stay without a figure."""
    communes = [row for row in units.values() if row["kind"] == "commune"]
    with_population = [row for row in communes if row["population"]]
    assert len(with_population) / len(communes) >= 0.995


def test_ninh_kieu_has_11_wards_with_census_populations(units, children):
    """Ninh Kiều (916): the 11 wards of 2021 and their 2019 census figures."""
    wards = {row["code"]: (row["name"], population(row)) for row in children["916"]}
    assert wards == NINH_KIEU_WARDS
    assert sum(count for _name, count in wards.values()) == 280_494
    assert population(units["916"]) == 280_494


def test_tan_an_includes_the_merged_wards(units):
    """Tân An = Tân An 5,191 + An Hội 6,451 + An Lạc 10,243 (merged in 2020)."""
    assert units["31135"]["population_basis"] == "census-merged"
    assert population(units["31135"]) == 5_191 + 6_451 + 10_243


def test_can_tho_communes_sum_to_the_city(units, children):
    """Cần Thơ (92): communes and districts sum to 1,235,171."""
    districts = children["92"]
    communes = [c for d in districts for c in children[d["code"]]]
    assert sorted(d["code"] for d in districts) == CANTHO_DISTRICTS
    assert sum(population(c) for c in communes) == 1_235_171
    assert sum(population(d) for d in districts) == 1_235_171
    assert population(units["92"]) == 1_235_171


def test_provinces_equal_the_census_province_rows(units):
    """Each province carries its census province row (shared/data flat CSV)."""
    provinces = {plain(r["name"]): population(r) for r in units.values() if r["kind"] == "province"}
    assert provinces == census_provinces()


def test_national_total(units):
    """The 2019 census total for Viet Nam is 96,208,984."""
    provinces = [row for row in units.values() if row["kind"] == "province"]
    assert sum(population(row) for row in provinces) == 96_208_984


def test_districts_sum_to_their_province(units, children):
    """District figures add up to the province figure everywhere."""
    for row in units.values():
        if row["kind"] == "province":
            districts = children[row["code"]]
            total = sum(population(d) for d in districts if d["population"])
            assert total == population(row), row["name"]


def test_districts_match_their_communes(units, children):
    """A district equals the sum of its communes when all have a figure, else exceeds it."""
    for row in units.values():
        communes = children[row["code"]]
        if row["kind"] != "district" or not communes:
            continue
        total = sum(population(c) for c in communes if c["population"])
        if all(c["population"] for c in communes):
            assert population(row) == total, row["name"]
        else:
            assert population(row) > total, row["name"]


def test_matching_report_is_shipped():
    """The build's matching report sits next to the CSV and records the checks."""
    report = (DATA / "units_2021_matching_report.txt").read_text(encoding="utf-8")
    assert "Hard checks:" in report
    assert "split-unresolved" in report


# --- GeoJSON --------------------------------------------------------------------------------
def test_cantho_boundaries_are_valid_official_polygons(units):
    """The city and its 9 districts, valid, from the dvhcvn GIS data."""
    collection = load_geojson("cantho_boundaries.geojson")
    assert collection["type"] == "FeatureCollection"
    codes = [f["properties"]["code"] for f in collection["features"]]
    assert codes == ["92", *CANTHO_DISTRICTS]
    for feature in collection["features"]:
        properties = feature["properties"]
        assert properties["name"] == units[properties["code"]]["name"]
        assert properties["source"] == "dvhcvn gis (gis.chinhphu.vn)"
        assert properties["approximate"] is False
        geometry = shape(feature["geometry"])
        assert geometry.is_valid, shapely.is_valid_reason(geometry)
        assert geometry.geom_type in {"Polygon", "MultiPolygon"}


def test_cantho_districts_tile_the_city():
    """The 9 district polygons cover the city polygon (area within 0.5 %)."""
    features = load_geojson("cantho_boundaries.geojson")["features"]
    city = shape(features[0]["geometry"])
    districts = sum(shape(f["geometry"]).area for f in features[1:])
    assert districts == pytest.approx(city.area, rel=0.005)


def ward_cells() -> dict:
    collection = load_geojson("ninhkieu_wards_approx.geojson")
    assert collection["type"] == "FeatureCollection"
    return {f["properties"]["code"]: f for f in collection["features"]}


def ninh_kieu():
    features = load_geojson("cantho_boundaries.geojson")["features"]
    return shape(next(f for f in features if f["properties"]["code"] == "916")["geometry"])


def test_ward_cells_are_labelled_approximate():
    """11 ward cells, each flagged approximate with notes in both languages."""
    cells = ward_cells()
    assert {code: f["properties"]["name"] for code, f in cells.items()} == {
        code: name for code, (name, _count) in NINH_KIEU_WARDS.items()
    }
    for feature in cells.values():
        properties = feature["properties"]
        assert properties["approximate"] is True
        assert "gần đúng" in properties["note_vi"]
        assert "Approximate" in properties["note_en"]


def test_ward_cells_are_valid_and_inside_ninh_kieu():
    """Every cell is a valid polygon within the official district polygon."""
    district = ninh_kieu()
    for code, feature in ward_cells().items():
        cell = shape(feature["geometry"])
        assert cell.is_valid, (code, shapely.is_valid_reason(cell))
        assert cell.area > 0, code
        outside = cell.difference(district).area
        assert outside <= cell.area * 1e-4, code  # coordinates are rounded to 1e-6°


def test_ward_cells_tile_ninh_kieu():
    """The cells do not overlap and together cover the district (area within 0.5 %)."""
    district = ninh_kieu()
    cells = [shape(f["geometry"]) for f in ward_cells().values()]
    total = sum(cell.area for cell in cells)
    union = shapely.union_all(cells)
    assert total == pytest.approx(district.area, rel=0.005)
    assert union.area == pytest.approx(total, rel=0.005)
    assert union.symmetric_difference(district).area <= district.area * 0.005
