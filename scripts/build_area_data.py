#!/usr/bin/env python3
"""Build the administrative-area data shipped in ``vungxanh/areas/data/``.

Dev-time only: reads the read-only source folder ``<shared>/data`` (see the
PROVENANCE.md files there) and writes derived files into the package, so the
product never reads ``/work/shared`` at run time.

Outputs (all deterministic; running twice gives byte-identical files):

* ``units_2021.csv``                    provinces, districts and communes of the
                                        2021 organisation with 2019 census population
* ``units_2021_matching_report.txt``    how census names were matched to codes
* ``cantho_boundaries.geojson``         Cần Thơ city + its 9 districts (official geometry)
* ``ninhkieu_wards_approx.geojson``     APPROXIMATE Ninh Kiều wards (Voronoi cells)

Usage::

    python scripts/build_area_data.py [--shared ../shared] [--out vungxanh/areas/data]

Needs shapely and xlrd (``pip install --target /tmp/pylib xlrd`` and put
/tmp/pylib on PYTHONPATH; xlrd is not a project dependency).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

import shapely
from shapely.geometry import MultiPoint, Point, mapping, shape

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO_ROOT.parent / "shared"
DEFAULT_OUT = REPO_ROOT / "vungxanh" / "areas" / "data"

GSO_UNITS = "admin_units/gso_dvhc_communes_2021-02-03.csv"
DVHCVN_UNITS = "admin_units/dvhcvn_2021-11-01.json"
CHANGE_RECORD = "admin_units/gso_ward_change_record_2019-01-01_to_2024-11-10_modified.xls"
CENSUS = "population/census2019_population_by_commune_flat.csv"
CANTHO_GIS = "boundaries/dvhcvn_gis_92_can_tho_districts.json"

NATIONAL_TOTAL_2019 = 96_208_984
CANTHO_CODE = "92"
NINH_KIEU_CODE = "916"
NINH_KIEU_TOTAL_2019 = 280_494
CANTHO_TOTAL_2019 = 1_235_171
# Per-ward figures from population/PROVENANCE.md (the build fails if they differ).
NINH_KIEU_EXPECTED = {
    "31117": 22_106,
    "31120": 31_268,
    "31123": 11_787,
    "31126": 7_059,
    "31129": 15_656,
    "31135": 21_885,
    "31141": 10_380,
    "31144": 29_905,
    "31147": 43_332,
    "31149": 52_429,
    "31150": 34_687,
}

# --- population_basis vocabulary (documented in PROVENANCE.md) -------------
BASIS_CENSUS = "census"  # commune: exactly one 2019 census unit
BASIS_MERGED = "census-merged"  # commune: sum of several 2019 units merged into it
BASIS_SPLIT = "split-unresolved"  # commune: its 2019 units were split over several
#                                    2021 units; no exact figure (see the report)
BASIS_UNMATCHED = "unmatched"  # commune: no 2019 census unit maps to it
BASIS_DISTRICT_ROW = "census-district-row"  # district unchanged since 2019
BASIS_SUM = "sum-of-communes"  # district changed: sum of its 2019 source communes
BASIS_ISLAND_ROW = "census-island-row"  # district w/o communes listed as a commune row
BASIS_NOT_ENUMERATED = "not-enumerated"  # not covered by the census (Hoàng Sa)
BASIS_PROVINCE_ROW = "census-province-row"  # province: census province row

CSV_COLUMNS = ["code", "name", "kind", "unit_type", "parent_code", "population", "population_basis"]

# --- names ------------------------------------------------------------------
TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
ROMAN_NUMERALS = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}
TYPE_NAMES = (
    "Thành phố Trung ương",
    "Thành phố",
    "Thị xã",
    "Thị trấn",
    "Quận",
    "Huyện",
    "Phường",
    "Xã",
    "Tỉnh",
)


def name_key(name: str) -> str:
    """Comparison key: NFC, lower case, one space, tone mark moved to word end.

    "Hoà"/"Hòa" and "Thuỷ"/"Thủy" (old/new tone placement) give the same key,
    hyphens count as spaces, "Phường 01" == "Phường 1", "II" == "2".
    """
    text = unicodedata.normalize("NFD", name).lower()
    words = []
    for word in re.split(r"[\s\-]+", text):
        if not word:
            continue
        tones = "".join(ch for ch in word if ch in TONE_MARKS)
        base = "".join(ch for ch in word if ch not in TONE_MARKS)
        base = ROMAN_NUMERALS.get(base, base)
        if base.isdigit():
            base = str(int(base))
        words.append(base + tones)
    return unicodedata.normalize("NFC", " ".join(words))


TYPE_KEYS = {type_name: name_key(type_name) for type_name in TYPE_NAMES}


def type_of_key(key: str) -> str | None:
    """The unit type ("Xã", "Phường", ...) a name key starts with, if any."""
    for type_name in TYPE_NAMES:
        if key.startswith(TYPE_KEYS[type_name] + " "):
            return type_name
    return None


def strip_type(key: str) -> str:
    """Drop the unit type ("xã", "phường", ...) from the front of a name key."""
    type_name = type_of_key(key)
    return key[len(TYPE_KEYS[type_name]) + 1 :] if type_name else key


def loose_key(key: str) -> str:
    """Looser key: no type word, y == i, no apostrophes or spaces."""
    text = strip_type(key).replace("ý", "í").replace("ỳ", "ì").replace("ỷ", "ỉ")
    text = text.replace("ỹ", "ĩ").replace("ỵ", "ị").replace("y", "i")
    return re.sub(r"[\s'’]+", "", text)


def type_from_name(name: str) -> str:
    type_name = type_of_key(name_key(name))
    if type_name is None:
        raise ValueError(f"no unit type in {name!r}")
    return type_name


# --- 2021 units ---------------------------------------------------------------
@dataclass
class Unit:
    code: str
    name: str
    kind: str
    parent_code: str
    unit_type: str = ""
    population: int | None = None
    basis: str = ""
    sources: list = field(default_factory=list)  # 2019 census units


def load_units_2021(shared: Path) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    with open(shared / GSO_UNITS, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            province, district, commune = row["Mã TP"], row["Mã QH"], row["Mã PX"]
            units.setdefault(province, Unit(province, row["Tỉnh Thành Phố"], "province", ""))
            units.setdefault(district, Unit(district, row["Quận Huyện"], "district", province))
            if commune:
                units[commune] = Unit(commune, row["Phường Xã"], "commune", district)
    add_unit_types(units, shared)
    return units


def add_unit_types(units: dict[str, Unit], shared: Path) -> None:
    """dvhcvn type when dvhcvn has the same code *and* name, else the name prefix."""
    dvhcvn = json.loads((shared / DVHCVN_UNITS).read_text(encoding="utf-8"))
    known = {}
    for province in dvhcvn["data"]:
        known[province["level1_id"]] = province
        for district in province["level2s"]:
            known[district["level2_id"]] = district
            for commune in district["level3s"]:
                known[commune["level3_id"]] = commune
    for unit in units.values():
        entry = known.get(unit.code)
        if entry and name_key(entry["name"]) == name_key(unit.name):
            unit.unit_type = entry["type"]
        else:
            unit.unit_type = type_from_name(unit.name)


def children_of(units: dict[str, Unit]) -> dict[str, list[Unit]]:
    children = defaultdict(list)
    for unit in units.values():
        if unit.parent_code:
            children[unit.parent_code].append(unit)
    return children


# --- change record 2019 -> 2024 -------------------------------------------------
@dataclass(frozen=True)
class ChangeRow:
    row_number: int
    province_code: str
    district_code: str
    district_name: str
    code: str
    name: str
    target_code: str
    target_name: str
    note: str


def code_text(value, width: int) -> str:
    """xlrd gives some codes as floats (15556.0); return a zero-padded string."""
    if isinstance(value, float):
        value = str(int(value))
    return value.strip().zfill(width) if value.strip() else ""


def load_change_record(shared: Path, province_codes: dict[str, str]) -> list[ChangeRow]:
    try:
        import xlrd  # dev-only dependency, reads the legacy .xls
    except ImportError:
        raise SystemExit("xlrd is needed: pip install --target /tmp/pylib xlrd") from None

    sheet = xlrd.open_workbook(str(shared / CHANGE_RECORD)).sheet_by_index(0)
    header = sheet.row_values(0)
    col = {name: header.index(name) for name in header}
    rows = []
    for number in range(1, sheet.nrows):
        values = sheet.row_values(number)
        province = code_text(values[col["Tỉnh"]], 2)
        if not province:  # one row lacks the province code; use its name
            province = province_codes[name_key(values[col["Tên Tỉnh"]])]
        rows.append(
            ChangeRow(
                row_number=number + 1,
                province_code=province,
                district_code=code_text(values[col["QH"]], 3),
                district_name=values[col["Tên QH"]].strip(),
                code=code_text(values[col["Xã"]], 5),
                name=values[col["Tên Xã"]].strip(),
                target_code=code_text(values[col["Xã DC"]], 5),
                target_name=values[col["Tên Xã DC"]].strip(),
                note=values[col["Ghi Chú"]].strip(),
            )
        )
    return rows


# --- census 2019 ------------------------------------------------------------------
@dataclass(frozen=True)
class CensusRow:
    level: str
    province: str
    district: str
    commune: str
    population: int

    @property
    def label(self) -> str:
        return " / ".join(part for part in (self.province, self.district, self.commune) if part)


def load_census(shared: Path) -> list[CensusRow]:
    with open(shared / CENSUS, encoding="utf-8", newline="") as handle:
        return [
            CensusRow(
                row["level"],
                row["province_name"],
                row["district_name"],
                row["commune_name"],
                int(row["population_total"]),
            )
            for row in csv.DictReader(handle)
        ]


# --- name matching ------------------------------------------------------------------
def accentless_key(name: str) -> str:
    """Loosest key: loose_key without any diacritics (đ -> d)."""
    text = unicodedata.normalize("NFD", loose_key(name_key(name)).replace("đ", "d"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


MATCH_STAGES = (
    ("exact", name_key),
    ("no-type", lambda name: strip_type(name_key(name))),
    ("loose", lambda name: loose_key(name_key(name))),
    ("no-accents", accentless_key),
)
SIMILARITY_THRESHOLD = 0.6


def match_name(name: str, candidates: dict) -> tuple[object, str] | None:
    """The candidate (id -> name) with the same name, trying ever looser keys.

    A stage only counts when exactly one candidate matches; an ambiguous stage
    stops the search (a looser key cannot be more specific).
    """
    for stage, make_key in MATCH_STAGES:
        wanted = make_key(name)
        hits = [key for key, other in candidates.items() if make_key(other) == wanted]
        if len(hits) == 1:
            return hits[0], stage
        if len(hits) > 1:
            return None
    return None


def similarity(first: str, second: str) -> float:
    return SequenceMatcher(None, accentless_key(first), accentless_key(second)).ratio()


def pair_by_similarity(names: dict, candidates: dict) -> list[tuple[object, object, float]]:
    """Mutual best pairs (ratio >= threshold) between two small sets of leftovers."""
    pairs = []
    names, candidates = dict(names), dict(candidates)
    while names and candidates:
        scores = sorted(
            (
                (similarity(name, other), key, cand)
                for key, name in names.items()
                for cand, other in candidates.items()
            ),
            key=lambda item: (-item[0], str(item[1]), str(item[2])),
        )
        score, key, cand = scores[0]
        tied = [
            item for item in scores[1:] if item[0] == score and (item[1] == key or item[2] == cand)
        ]
        if score < SIMILARITY_THRESHOLD or tied:
            break
        pairs.append((key, cand, score))
        del names[key], candidates[cand]
    return pairs


# --- census -> 2019 codes -------------------------------------------------------------
@dataclass
class Source:
    """A 2019 census commune matched to its 2019 unit in the change record."""

    census: CensusRow
    census_district: District2019  # where the census lists it
    unit: tuple[str, str]  # (2019 code, 2019 name) in the change record
    rows: list[ChangeRow]
    stage: str
    targets: set[str] = field(default_factory=set)  # 2021 codes
    methods: list[str] = field(default_factory=list)  # how each row was resolved


@dataclass
class District2019:
    province_code: str
    name: str
    code: str  # most frequent code in the change record (a few rows carry a wrong one)
    units: dict = field(default_factory=dict)  # (code, name) -> [ChangeRow]
    census_row: CensusRow | None = None
    census_communes: list = field(default_factory=list)


@dataclass
class Matching:
    sources: list[Source] = field(default_factory=list)
    districts: dict = field(default_factory=dict)  # (province code, name key) -> District2019
    island_rows: dict = field(default_factory=dict)  # 2021 district code -> CensusRow
    province_rows: dict = field(default_factory=dict)  # province code -> CensusRow
    unmatched_census: list = field(default_factory=list)  # (District2019, CensusRow)
    stages: Counter = field(default_factory=Counter)


def index_districts_2019(change_rows: list[ChangeRow]) -> dict:
    """Change-record units grouped by 2019 district *name* (codes are sometimes off)."""
    grouped = defaultdict(list)
    for row in change_rows:
        grouped[(row.province_code, name_key(row.district_name))].append(row)
    districts = {}
    for key, rows in grouped.items():
        code = Counter(row.district_code for row in rows).most_common(1)[0][0]
        district = District2019(key[0], rows[0].district_name, code)
        for row in rows:
            district.units.setdefault((row.code, row.name), []).append(row)
        districts[key] = district
    return districts


def match_census(census: list[CensusRow], units: dict, change_rows: list) -> Matching:
    result = Matching(districts=index_districts_2019(change_rows))
    provinces = {u.code: u.name for u in units.values() if u.kind == "province"}
    for row in census:
        hit = match_name(row.province, provinces)
        if hit is None:
            raise SystemExit(f"census province not matched: {row.province}")
        province_code = hit[0]
        if row.level == "province":
            result.province_rows[province_code] = row
            continue
        district = find_district_2019(result, province_code, row.district)
        if district is None:
            raise SystemExit(f"census district not matched: {row.label}")
        if row.level == "district":
            district.census_row = row
        elif type_of_key(name_key(row.commune)) == "Huyện":
            match_island_row(row, province_code, units, result)
        else:
            district.census_communes.append(row)
    for district in result.districts.values():
        match_communes_in_district(district, result)
    match_leftovers_in_province(result)
    match_leftovers_to_2021_list(result, units)
    return result


def find_district_2019(result: Matching, province_code: str, name: str):
    candidates = {key: d.name for key, d in result.districts.items() if key[0] == province_code}
    hit = match_name(name, candidates)
    return result.districts[hit[0]] if hit else None


def match_island_row(row: CensusRow, province_code: str, units: dict, result: Matching) -> None:
    """The census lists 3 island districts as commune rows of a mainland district."""
    districts = {
        u.code: u.name
        for u in units.values()
        if u.kind == "district" and u.parent_code == province_code
    }
    hit = match_name(row.commune, districts)
    if hit is None:
        raise SystemExit(f"island district not found: {row.label}")
    result.island_rows[hit[0]] = row


def claim(result: Matching, listed_in, district: District2019, row, unit, stage: str) -> None:
    result.stages[stage] += 1
    result.sources.append(Source(row, listed_in, unit, district.units[unit], stage))


def match_communes_in_district(district: District2019, result: Matching) -> None:
    candidates = {unit: unit[1] for unit in district.units}
    leftovers = []
    for row in district.census_communes:
        hit = match_name(row.commune, candidates)
        if hit is None:
            leftovers.append(row)
        else:
            claim(result, district, district, row, hit[0], hit[1])
    claimed_codes = {s.unit[0] for s in result.sources if s.unit in district.units}
    unclaimed = {}  # one candidate per distinct name (the file repeats some names)
    for unit in sorted(district.units):
        seen = {name_key(name) for name in unclaimed.values()}
        if unit[0] not in claimed_codes and name_key(unit[1]) not in seen:
            unclaimed[unit] = unit[1]
    pairs = pair_by_similarity({i: r.commune for i, r in enumerate(leftovers)}, unclaimed)
    for index, unit, _score in pairs:
        claim(result, district, district, leftovers[index], unit, "similar")
    paired = {index for index, _unit, _score in pairs}
    result.unmatched_census.extend(
        (district, r) for i, r in enumerate(leftovers) if i not in paired
    )


def match_leftovers_in_province(result: Matching) -> None:
    """Communes the census lists under another district than the change record."""
    claimed = {s.unit for s in result.sources}
    still_unmatched = []
    for listed_in, row in result.unmatched_census:
        province_code = listed_in.province_code
        candidates = {
            (key, unit): unit[1]
            for key, district in result.districts.items()
            if key[0] == province_code
            for unit in district.units
            if unit not in claimed
        }
        hit = match_name(row.commune, candidates)
        if hit is None:
            still_unmatched.append((listed_in, row))
            continue
        (key, unit), _stage = hit
        claimed.add(unit)
        claim(result, listed_in, result.districts[key], row, unit, "other-district")
    result.unmatched_census = still_unmatched


def match_leftovers_to_2021_list(result: Matching, units: dict[str, Unit]) -> None:
    """Census communes missing from the change record: same name in the 2021 list."""
    still_unmatched = []
    for listed_in, row in result.unmatched_census:
        candidates = {
            u.code: u.name
            for u in units.values()
            if u.kind == "commune" and u.parent_code == listed_in.code
        }
        hit = match_name(row.commune, candidates)
        if hit is None:
            still_unmatched.append((listed_in, row))
            continue
        code = hit[0]
        result.stages["gso-2021-list"] += 1
        result.sources.append(
            Source(
                row,
                listed_in,
                (code, units[code].name),
                [],
                "gso-2021-list",
                {code},
                ["same-name-in-2021-list"],
            )
        )
    result.unmatched_census = still_unmatched


# --- 2019 units -> 2021 units --------------------------------------------------------------
class TargetResolver:
    """Which 2021 unit(s) a 2019 change-record unit belongs to.

    The change record maps 2019 -> 2024, so a 2019 code that is still in the
    2021 list *is* its 2021 unit; otherwise the 2024 target tells where it was
    merged, and the 2021 unit is the one (still existing in 2021) that ended
    up in that same 2024 target.
    """

    def __init__(self, change_rows: list[ChangeRow], units: dict[str, Unit]):
        self.units = units
        self.communes = {c for c, u in units.items() if u.kind == "commune"}
        self.codes_2019 = {row.code for row in change_rows}
        self.names_by_code = defaultdict(set)
        for row in change_rows:
            self.names_by_code[row.code].add(name_key(row.name))
        self.kept_by_target = defaultdict(set)
        for row in change_rows:
            if self.is_kept(row):
                self.kept_by_target[row.target_code].add(row.code)
        self.has_communes = {u.parent_code for u in units.values() if u.kind == "commune"}

    def is_kept(self, row: ChangeRow) -> bool:
        """The row's 2019 code is in the 2021 list and really is this unit's code."""
        if row.code not in self.communes:
            return False
        if len(self.names_by_code[row.code]) == 1:
            return True
        # Several 2019 names share this code (an error in the modified file):
        # keep it only for the name that the 2021 list (or the target) uses.
        current = strip_type(name_key(self.units[row.code].name))
        own = strip_type(name_key(row.name))
        names = {strip_type(n) for n in self.names_by_code[row.code]}
        return own == current or current not in names

    def resolve_row(self, row: ChangeRow) -> tuple[set[str], str]:
        if self.is_kept(row):
            target = row.target_code
            if target != row.code and target in self.communes and target not in self.codes_2019:
                return {target}, "split-to-new-unit"
            return {row.code}, "kept"
        group = set(self.kept_by_target[row.target_code])
        if row.target_code in self.communes:
            group.add(row.target_code)
        if len(group) == 1:
            return group, "merged"
        if len(group) > 1:
            named = self.pick_by_note(row, group)
            return ({named}, "merged-by-note") if named else (set(), "ambiguous")
        by_name = self.find_by_target_name(row)
        if by_name:
            return {by_name}, "target-name"
        district = self.district_2021(row)
        if district and district not in self.has_communes:
            return {district}, "district-without-communes"
        return set(), "no-target"

    def pick_by_note(self, row: ChangeRow, group: set[str]) -> str | None:
        """The group member the merger note names after 'vào' (into)."""
        note = name_key(row.note)
        tail = note.split(name_key("vào"), 1)[-1]
        hits = [c for c in sorted(group) if strip_type(name_key(self.units[c].name)) in tail]
        return hits[0] if len(hits) == 1 else None

    def find_by_target_name(self, row: ChangeRow) -> str | None:
        wanted = name_key(row.target_name)
        hits = [
            c
            for c in self.communes
            if name_key(self.units[c].name) == wanted
            and self.units[self.units[c].parent_code].parent_code == row.province_code
        ]
        return hits[0] if len(hits) == 1 else None

    def district_2021(self, row: ChangeRow) -> str | None:
        unit = self.units.get(row.district_code)
        return row.district_code if unit and unit.kind == "district" else None

    def resolve_unit(self, rows: list[ChangeRow]) -> tuple[set[str], list[str]]:
        targets, how = set(), []
        for row in rows:
            found, method = self.resolve_row(row)
            targets |= found
            how.append(method)
        return targets, how


# --- populations -------------------------------------------------------------------------
def resolve_sources(matching: Matching, resolver: TargetResolver) -> None:
    for source in matching.sources:
        if source.rows:
            source.targets, source.methods = resolver.resolve_unit(source.rows)


def connected_groups(sources: list[Source]) -> list[tuple[list[Source], set[str]]]:
    """Split/merge groups: 2019 sources and 2021 targets linked by any mapping."""
    parent: dict = {}

    def find(node):
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for index, source in enumerate(sources):
        for target in sorted(source.targets):
            parent[find(("source", index))] = find(("target", target))
    groups = defaultdict(lambda: ([], set()))
    for index, source in enumerate(sources):
        if source.targets:
            members, targets = groups[find(("source", index))]
            members.append(source)
            targets.update(source.targets)
    return sorted(groups.values(), key=lambda group: sorted(group[1]))


@dataclass
class Assignment:
    """What the report needs to say about commune populations."""

    split_groups: list = field(default_factory=list)  # (sources, targets) not separable
    no_source: list = field(default_factory=list)  # 2021 communes nothing maps to
    unresolved_sources: list = field(default_factory=list)  # 2019 units without a 2021 unit


def assign_commune_populations(units: dict[str, Unit], matching: Matching) -> Assignment:
    report = Assignment()
    for members, targets in connected_groups(matching.sources):
        if len(targets) == 1:
            unit = units[next(iter(targets))]
            unit.sources = members
            if unit.kind == "commune":
                unit.population = sum(m.census.population for m in members)
                unit.basis = BASIS_CENSUS if len(members) == 1 else BASIS_MERGED
        else:
            report.split_groups.append((members, targets))
            for code in targets:
                units[code].sources = [m for m in members if code in m.targets]
                units[code].basis = BASIS_SPLIT
    report.unresolved_sources = [s for s in matching.sources if not s.targets]
    for unit in units.values():
        if unit.kind == "commune" and not unit.sources:
            unit.basis = BASIS_UNMATCHED
            report.no_source.append(unit)
    return report


def assign_district_populations(units, children, matching: Matching) -> list[str]:
    """Census district row when the district is unchanged, else the sum of its sources."""
    listed = defaultdict(set)  # 2019 district code -> ids of the sources the census lists there
    by_target = defaultdict(list)  # 2021 code -> sources mapped (partly) into it
    for source in matching.sources:
        listed[source.census_district.code].add(id(source))
        for target in source.targets:
            by_target[target].append(source)
    census_rows = {d.code: d.census_row for d in matching.districts.values() if d.census_row}
    problems = []
    for district in (u for u in units.values() if u.kind == "district"):
        area = {c.code for c in children[district.code]} or {district.code}
        inflow = {id(s): s for code in area for s in by_target[code]}
        full = [s for s in inflow.values() if s.targets <= area]
        if district.code in matching.island_rows:
            district.population = matching.island_rows[district.code].population
            district.basis = BASIS_ISLAND_ROW
        elif not inflow:
            district.basis = BASIS_NOT_ENUMERATED
        elif district.code in census_rows and listed[district.code] == {id(s) for s in full}:
            district.population = census_rows[district.code].population
            district.basis = BASIS_DISTRICT_ROW
        else:
            district.population = sum(s.census.population for s in full)
            district.basis = BASIS_SUM
            if len(full) < len(inflow):
                problems.append(
                    f"{district.code} {district.name}: a 2019 unit is split across"
                    " districts; its population is left out"
                )
    return problems


def assign_province_populations(units, children, matching: Matching) -> list[str]:
    problems = []
    for province in (u for u in units.values() if u.kind == "province"):
        province.population = matching.province_rows[province.code].population
        province.basis = BASIS_PROVINCE_ROW
        districts = sum(d.population or 0 for d in children[province.code])
        if districts != province.population:
            problems.append(
                f"{province.code} {province.name}: districts sum to {districts:,}"
                f" but the census province row is {province.population:,}"
            )
    return problems


# --- checks --------------------------------------------------------------------------------
def hard_checks(units: dict[str, Unit], children) -> list[str]:
    """Checks the shipped file must pass; returns human-readable lines (raises on failure)."""
    kinds = Counter(u.kind for u in units.values())
    ninh_kieu = {c.code: c.population for c in children[NINH_KIEU_CODE]}
    cantho = sum(c.population or 0 for d in children[CANTHO_CODE] for c in children[d.code])
    national = sum(u.population for u in units.values() if u.kind == "province")
    checks = [
        (
            "63 provinces, 705 districts, 10,603 communes",
            (kinds["province"], kinds["district"], kinds["commune"]) == (63, 705, 10_603),
        ),
        (
            "Ninh Kiều (916): 11 wards with the PROVENANCE.md figures",
            ninh_kieu == NINH_KIEU_EXPECTED,
        ),
        (
            f"Ninh Kiều wards sum to {NINH_KIEU_TOTAL_2019:,}",
            sum(ninh_kieu.values()) == NINH_KIEU_TOTAL_2019 == units[NINH_KIEU_CODE].population,
        ),
        (
            f"Cần Thơ (92) communes sum to {CANTHO_TOTAL_2019:,}",
            cantho == CANTHO_TOTAL_2019 == units[CANTHO_CODE].population,
        ),
        (f"national total {NATIONAL_TOTAL_2019:,}", national == NATIONAL_TOTAL_2019),
    ]
    failed = [label for label, ok in checks if not ok]
    if failed:
        raise SystemExit("hard checks failed: " + "; ".join(failed))
    return [f"OK  {label}" for label, _ok in checks]


# --- outputs: CSV + report --------------------------------------------------------------------
def sort_key(unit: Unit) -> tuple[int, str]:
    return len(unit.code), unit.code  # provinces, then districts, then communes


def units_csv(units: dict[str, Unit]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for unit in sorted(units.values(), key=sort_key):
        population = "" if unit.population is None else str(unit.population)
        writer.writerow(
            [
                unit.code,
                unit.name,
                unit.kind,
                unit.unit_type,
                unit.parent_code,
                population,
                unit.basis,
            ]
        )
    return buffer.getvalue()


def describe_source(source: Source) -> str:
    census = source.census
    return f"{census.district} / {census.commune} ({census.population:,})"


def matching_report(units, matching: Matching, assignment: Assignment, problems, checks) -> str:
    communes = [u for u in units.values() if u.kind == "commune"]
    with_population = sum(1 for u in communes if u.population is not None)
    lines = [
        "Matching report: 2019 census population on the 2021 administrative units",
        "Built by scripts/build_area_data.py; see PROVENANCE.md for sources and vocabulary.",
        "",
        f"Communes with a population: {with_population:,} of {len(communes):,}"
        f" ({100 * with_population / len(communes):.2f} %)",
        "",
    ]
    for kind in ("province", "district", "commune"):
        counts = Counter(u.basis for u in units.values() if u.kind == kind)
        lines.append(f"population_basis, {kind}s:")
        lines += [f"  {basis:22} {count:6,}" for basis, count in sorted(counts.items())]
    lines += section_census_matching(matching)
    lines += section_resolution(matching)
    lines += section_unmatched(units, assignment)
    lines += ["", "Districts summed from communes (changed since the census):"]
    lines += [
        f"  {u.code} {u.name}: {u.population:,}"
        for u in sorted(units.values(), key=sort_key)
        if u.basis == BASIS_SUM
    ]
    lines += ["", "Consistency problems:"] + [f"  {p}" for p in problems or ["none"]]
    lines += ["", "Hard checks:"] + [f"  {c}" for c in checks]
    return "\n".join(lines) + "\n"


def section_census_matching(matching: Matching) -> list[str]:
    islands = len(matching.island_rows)
    total = len(matching.sources) + len(matching.unmatched_census) + islands
    lines = [
        "",
        f"Census commune rows: {total:,}; {islands} are island districts (Huyện ...),"
        f" {len(matching.sources):,} matched to a 2019 unit, by name rule:",
    ]
    lines += [f"  {stage:16} {count:6,}" for stage, count in sorted(matching.stages.items())]
    lines += ["", "Census names matched by a looser rule than 'exact' (review these):"]
    for source in sorted(matching.sources, key=lambda s: (s.stage, s.unit)):
        if source.stage != "exact":
            lines.append(
                f"  [{source.stage}] {source.census.province} / {describe_source(source)}"
                f" -> {source.unit[0]} {source.unit[1]}"
            )
    lines += ["", "Census commune rows not matched:"]
    lines += [f"  {row.label} ({row.population:,})" for _d, row in matching.unmatched_census] or [
        "  none"
    ]
    return lines


def section_resolution(matching: Matching) -> list[str]:
    methods = Counter(m for s in matching.sources for m in s.methods)
    lines = ["", "2019 unit -> 2021 unit, by method (one count per change-record row):"]
    lines += [f"  {method:26} {count:6,}" for method, count in sorted(methods.items())]
    lines += ["", "Resolved by note, target name or special rule (review these):"]
    for source in sorted(matching.sources, key=lambda s: s.unit):
        unusual = sorted(set(source.methods) - {"kept", "merged"})
        if unusual:
            lines.append(
                f"  {source.unit[0]} {source.unit[1]} -> {', '.join(sorted(source.targets))}"
                f" [{', '.join(unusual)}]"
            )
    return lines


def section_unmatched(units, assignment: Assignment) -> list[str]:
    lines = [
        "",
        "2021 communes without population:",
        f"  [{BASIS_SPLIT}] 2019 units split over several 2021 units (group total known):",
    ]
    for members, targets in assignment.split_groups:
        total = sum(m.census.population for m in members)
        names = ", ".join(f"{c} {units[c].name}" for c in sorted(targets))
        lines.append(f"    {units[units[min(targets)].parent_code].name}: {names}")
        lines.append(
            f"      from {'; '.join(describe_source(m) for m in members)}; group total {total:,}"
        )
    lines.append(f"  [{BASIS_UNMATCHED}] no 2019 census unit maps here:")
    lines += [f"    {u.code} {u.name}" for u in assignment.no_source] or ["    none"]
    if assignment.unresolved_sources:
        lines.append("  2019 units without any 2021 unit:")
        lines += [f"    {describe_source(s)}" for s in assignment.unresolved_sources]
    return lines


# --- GeoJSON ----------------------------------------------------------------------------------
GIS_SOURCE = "dvhcvn gis (gis.chinhphu.vn)"
WARD_NOTE_VI = "Ranh giới gần đúng (Voronoi), không phải ranh giới chính thức"
WARD_NOTE_EN = "Approximate boundary (Voronoi), not an official boundary"
COORDINATE_DECIMALS = 6

# One seed per 2021 Ninh Kiều ward: (code, name, longitude, latitude, seed source).
# "vau": ward centroid (wardLon, wardLat) from the PyPI package vietnamadminunits 1.0.4
#   (MIT), vietnamadminunits/data/dataset.db, table admin_units_legacy; these seven
#   wards kept their 2021 extent until 2025.
# "hand": hand-placed estimate. vau only has the 2024 merged Phường Thới Bình (= Thới
#   Bình + An Nghiệp + An Cư + An Phú, bounds 10.02727-10.047559 N,
#   105.770316-105.786517 E), so the four are spread inside those bounds: Thới Bình
#   north (Cái Khế canal), An Cư north-east, An Nghiệp centre, An Phú south.
WARD_SEEDS = (
    ("31117", "Phường Cái Khế", 105.787937, 10.048590, "vau"),
    ("31120", "Phường An Hòa", 105.768861, 10.045450, "vau"),
    ("31123", "Phường Thới Bình", 105.778000, 10.043500, "hand"),
    ("31126", "Phường An Nghiệp", 105.780000, 10.036500, "hand"),
    ("31129", "Phường An Cư", 105.783000, 10.040500, "hand"),
    ("31135", "Phường Tân An", 105.787005, 10.034262, "vau"),
    ("31141", "Phường An Phú", 105.779000, 10.032000, "hand"),
    ("31144", "Phường Xuân Khánh", 105.771796, 10.029048, "vau"),
    ("31147", "Phường Hưng Lợi", 105.762309, 10.014410, "vau"),
    ("31149", "Phường An Khánh", 105.755656, 10.031185, "vau"),
    ("31150", "Phường An Bình", 105.738051, 10.010358, "vau"),
)


def round_coordinates(value):
    if isinstance(value, (list, tuple)):
        return [round_coordinates(item) for item in value]
    return round(float(value), COORDINATE_DECIMALS)


def valid_geometry(geometry: dict) -> dict:
    """The GeoJSON geometry itself if shapely finds it valid, else its make_valid repair."""
    shaped = shape(geometry)
    if shaped.is_valid:
        return geometry
    print(f"warning: make_valid applied: {shapely.is_valid_reason(shaped)}")
    return rounded_geometry(shapely.make_valid(shaped))


def rounded_geometry(shaped) -> dict:
    geometry = mapping(shaped)
    return {"type": geometry["type"], "coordinates": round_coordinates(geometry["coordinates"])}


def feature(geometry, properties: dict) -> dict:
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": geometry["type"], "coordinates": geometry["coordinates"]},
    }


def feature_collection_text(features: list[dict]) -> str:
    """One feature per line: diff-friendly and deterministic."""
    body = ",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features)
    return '{"type":"FeatureCollection","features":[\n' + body + "\n]}\n"


def cantho_features(shared: Path, units: dict[str, Unit]) -> list[dict]:
    data = json.loads((shared / CANTHO_GIS).read_text(encoding="utf-8"))
    entries = [(data["level1_id"], data)] + sorted((d["level2_id"], d) for d in data["level2s"])
    features = []
    for code, entry in entries:
        geometry = {"type": entry["type"], "coordinates": round_coordinates(entry["coordinates"])}
        geometry = valid_geometry(geometry)
        properties = {
            "code": code,
            "name": units[code].name,
            "source": GIS_SOURCE,
            "approximate": False,
        }
        features.append(feature(geometry, properties))
    return features


def ward_features(district_geometry) -> list[dict]:
    seeds = [Point(lon, lat) for _code, _name, lon, lat, _src in WARD_SEEDS]
    for point, seed in zip(seeds, WARD_SEEDS, strict=True):
        if not district_geometry.contains(point):
            raise SystemExit(f"seed outside Ninh Kiều: {seed}")
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=district_geometry)
    features = []
    for point, (code, name, *_rest) in zip(seeds, WARD_SEEDS, strict=True):
        cell = next(c for c in cells.geoms if c.contains(point))
        clipped = shapely.orient_polygons(cell.intersection(district_geometry))
        geometry = valid_geometry(rounded_geometry(clipped))
        properties = {
            "code": code,
            "name": name,
            "approximate": True,
            "note_vi": WARD_NOTE_VI,
            "note_en": WARD_NOTE_EN,
        }
        features.append(feature(geometry, properties))
    return features


def check_ward_tiling(ward_features_: list[dict], district_geometry) -> str:
    cells = [shape(f["geometry"]) for f in ward_features_]
    union = shapely.union_all(cells)
    cell_area = sum(c.area for c in cells)
    ratio = cell_area / district_geometry.area
    outside = union.difference(district_geometry).area / district_geometry.area
    if abs(ratio - 1) > 0.005 or outside > 0.005:
        raise SystemExit(f"ward cells do not tile Ninh Kiều: area ratio {ratio}, outside {outside}")
    return f"OK  11 ward cells tile Ninh Kiều (area ratio {ratio:.6f})"


# --- main ---------------------------------------------------------------------------------------
def build_units(shared: Path):
    units = load_units_2021(shared)
    province_codes = {name_key(u.name): u.code for u in units.values() if u.kind == "province"}
    change_rows = load_change_record(shared, province_codes)
    matching = match_census(load_census(shared), units, change_rows)
    resolve_sources(matching, TargetResolver(change_rows, units))
    children = children_of(units)
    assignment = assign_commune_populations(units, matching)
    problems = assign_district_populations(units, children, matching)
    problems += assign_province_populations(units, children, matching)
    checks = hard_checks(units, children)
    report = matching_report(units, matching, assignment, problems, checks)
    return units, report


def write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--shared",
        type=Path,
        default=DEFAULT_SHARED,
        help="shared folder holding data/ (default: ../shared from the repo root)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    shared = args.shared / "data"
    if not shared.is_dir():
        parser.error(f"{shared} not found")
    args.out.mkdir(parents=True, exist_ok=True)

    units, report = build_units(shared)
    cantho = cantho_features(shared, units)
    ninh_kieu = shape(
        next(f for f in cantho if f["properties"]["code"] == NINH_KIEU_CODE)["geometry"]
    )
    wards = ward_features(ninh_kieu)
    report += f"  {check_ward_tiling(wards, ninh_kieu)}\n"

    write_text(args.out / "units_2021.csv", units_csv(units))
    write_text(args.out / "units_2021_matching_report.txt", report)
    write_text(args.out / "cantho_boundaries.geojson", feature_collection_text(cantho))
    write_text(args.out / "ninhkieu_wards_approx.geojson", feature_collection_text(wards))
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
