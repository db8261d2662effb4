"""The us-cdc-community-2022 rule set reproduces CDC's published county levels of 2022-07-07.

Reference data: ../shared/data/reference_levels/cdc_community_levels_by_county_2022-07-07.csv
(see its PROVENANCE.md). Numbers there carry thousands separators ("4,577.97"); they are
stripped. Every county with complete inputs must get CDC's level; of the others, counties
without hospital data were published blank (N/A here) and Missouri counties with a blank
bed figure were published Low. Checked through the domain functions and through the offline
CLI. Plain pytest, no Django, no database.
"""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from vungxanh import riskcli
from vungxanh.domain.classify import assess, prepare
from vungxanh.domain.rules import load_ruleset
from vungxanh.lib.shared_data import shared_data_dir

REFERENCE = shared_data_dir() / "reference_levels" / "cdc_community_levels_by_county_2022-07-07.csv"
RULES = riskcli.RULES_DIR / "us-cdc-community-2022.toml"
COLUMNS = {
    "cases_per_100k_7d": "covid_cases_per_100k",
    "admissions_per_100k_7d": "covid_hospital_admissions_per_100k",
    "beds_covid_pct": "covid_inpatient_bed_utilization",
}
PUBLISHED = "covid-19_community_level"

pytestmark = pytest.mark.skipif(not REFERENCE.exists(), reason=f"no reference file {REFERENCE}")


def reference_rows() -> list[dict[str, str]]:
    with REFERENCE.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        for column in COLUMNS.values():
            row[column] = row[column].replace(",", "").strip()
    return rows


def complete(row: dict[str, str]) -> bool:
    return all(row[column] for column in COLUMNS.values())


def published(row: dict[str, str]) -> str:
    """CDC's level, with its blank written as this rule set's N/A."""
    return row[PUBLISHED] or "N/A"


def test_the_reference_file_is_the_one_described():
    rows = reference_rows()
    assert len(rows) == 3135
    assert {row["date_updated"] for row in rows} == {"7/7/22"}
    assert Counter(complete(row) for row in rows) == {True: 3127, False: 8}


def test_the_rule_set_reproduces_every_county():
    rows = reference_rows()
    ruleset = load_ruleset(RULES)
    values = prepare(ruleset, {name: [row[col] for row in rows] for name, col in COLUMNS.items()})
    ours = assess(ruleset, values).keys()
    full = [(row, level) for row, level in zip(rows, ours, strict=True) if complete(row)]
    assert [row["county_fips"] for row, level in full if level != published(row)] == []
    assert len(full) == 3127
    partial = [(row, level) for row, level in zip(rows, ours, strict=True) if not complete(row)]
    # PROVENANCE: no hospital data → CDC left the level blank; Missouri rows with a blank
    # bed figure (admissions 0, cases < 200) → Low.
    assert sorted((row["state"], row[PUBLISHED], level) for row, level in partial) == sorted(
        [("Missouri", "Low", "Low")] * 3
        + [("Tennessee", "", "N/A")] * 2
        + [("Texas", "", "N/A")] * 3
    )


def test_the_offline_cli_reproduces_every_county(tmp_path, capsys):
    rows = reference_rows()
    source, result = tmp_path / "counties.csv", tmp_path / "levels.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["area", "state", *COLUMNS])
        for row in rows:
            writer.writerow([row["county_fips"], row["state"], *(row[c] for c in COLUMNS.values())])
    code = riskcli.main(
        [
            "assess",
            "--rules",
            "us-cdc-community-2022",
            "--input",
            str(source),
            "--output",
            str(result),
        ]
    )
    assert code == 0, capsys.readouterr().err
    with result.open(encoding="utf-8", newline="") as handle:
        out = list(csv.DictReader(handle))
    assert [r["area"] for r in out] == [row["county_fips"] for row in rows]
    mismatches = [
        (row["county_fips"], published(row), got["level"])
        for row, got in zip(rows, out, strict=True)
        if got["level"] != published(row)
    ]
    assert mismatches == []
    ranks = {"Low": "1", "Medium": "2", "High": "3", "N/A": "0"}
    assert all(got["level_rank"] == ranks[got["level"]] for got in out)
    assert all(got["explanation"] and got["explanation_en"] for got in out)
    assert "3135 rows assessed with us-cdc-community-2022" in capsys.readouterr().out
