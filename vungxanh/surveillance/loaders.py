"""Loaders of the public surveillance data shipped in ``vungxanh/surveillance/data``.

- ``load_ncsc``: the Ministry of Health portal's new cases and deaths of every province and
  day (series ``moh-ncsc``, report dates; see ``data/ncsc/PROVENANCE.md``).
- ``load_cantho_press``: the Cần Thơ Department of Health figures quoted by the press (series
  ``cantho-doh``; see ``data/cantho_2021/PROVENANCE.md``).

Both build every record in one pass and hand them to ``services.import_records`` in one call,
which versions, batches and audits them; loading the same data again changes nothing.
The readers are also used by the demo model (``vungxanh.demo.epidemic``).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from vungxanh.areas.models import Area, AreaKind
from vungxanh.surveillance import services
from vungxanh.surveillance.services import ImportResult

DATA_DIR = Path(__file__).resolve().parent / "data"
NCSC_DIR = DATA_DIR / "ncsc"
NCSC_CASES = NCSC_DIR / "ncsc_cases_by_province_daily_wide.csv"
NCSC_DEATHS = NCSC_DIR / "ncsc_deaths_by_province_daily_wide.csv"
NCSC_CROSSWALK = NCSC_DIR / "ncsc_province_id_crosswalk.csv"
CANTHO_DIR = DATA_DIR / "cantho_2021"
CANTHO_DAILY = CANTHO_DIR / "cantho_daily_2021.csv"
CANTHO_DISTRICTS = CANTHO_DIR / "cantho_district_cumulative_2021.csv"

NCSC_SERIES = "moh-ncsc"
NCSC_SOURCE = "covid19.ncsc.gov.vn (Bộ Y tế)"
CANTHO_SERIES = "cantho-doh"
CANTHO_SOURCE = "Sở Y tế TP Cần Thơ, báo cáo nhanh (qua báo chí)"
CANTHO_CODE = "92"
# District names as the press prints them -> GSO 2021 codes (the unit list spells "Thuỷ").
CANTHO_DISTRICTS_BY_NAME = {
    "Ninh Kiều": "916",
    "Ô Môn": "917",
    "Bình Thủy": "918",
    "Cái Răng": "919",
    "Thốt Nốt": "923",
    "Vĩnh Thạnh": "924",
    "Cờ Đỏ": "925",
    "Phong Điền": "926",
    "Thới Lai": "927",
}
# Columns of cantho_daily_2021.csv read as whole numbers (empty = not in the report).
CANTHO_NUMBERS = (
    "new_cases",
    "in_quarantine",
    "in_lockdown",
    "home_isolation",
    "screening",
    "community",
    "deaths",
    "recovered",
    "cumulative_cases_since_8_7",
    "cumulative_recovered",
    "cumulative_deaths",
    "vaccine_doses",
)


@dataclass(frozen=True)
class WideTable:
    """A portal file: one row per NCSC province id, one column per report date."""

    ids: list[str]
    dates: list[dt.date]
    values: np.ndarray  # ids × dates, float; NaN where the portal had no figure


def _dmy(text: str) -> dt.date:
    day, month, year = (int(part) for part in text.split("/"))
    return dt.date(year, month, day)


def read_ncsc_wide(path: Path) -> WideTable:
    """Read a wide portal file (d/m/yyyy headers, "4.0" floats, empty = no figure)."""
    with path.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    dates = [_dmy(h) for h in header[1:]]
    cells = np.array([row[1:] for row in rows], dtype=object)
    empty = cells == ""
    values = np.where(empty, "nan", cells).astype(np.float64)
    return WideTable([row[0] for row in rows], dates, values)


def ncsc_crosswalk() -> dict[str, str]:
    """Return NCSC province id -> GSO province code (two-digit text)."""
    with NCSC_CROSSWALK.open(encoding="utf-8", newline="") as handle:
        return {row["ncsc_id"]: row["gso_province_code"] for row in csv.DictReader(handle)}


def read_ncsc() -> tuple[list[str], list[dt.date], np.ndarray, np.ndarray]:
    """Return (GSO codes, dates, cases, deaths) of the two portal files, rows aligned."""
    cases, deaths = read_ncsc_wide(NCSC_CASES), read_ncsc_wide(NCSC_DEATHS)
    if cases.ids != deaths.ids or cases.dates != deaths.dates:
        raise ValueError("the NCSC case and death files are not aligned")
    crosswalk = ncsc_crosswalk()
    return [crosswalk[i] for i in cases.ids], cases.dates, cases.values, deaths.values


def ncsc_province_series(gso_code: str) -> tuple[list[dt.date], np.ndarray, np.ndarray]:
    """Return one province's (dates, new cases, new deaths); NaN where there was no figure."""
    codes, dates, cases, deaths = read_ncsc()
    row = codes.index(gso_code)
    return dates, cases[row], deaths[row]


def area_ids(codes, kind: str | None = None) -> dict[str, int]:
    """Return code -> id of the current units, or fail if any is missing."""
    areas = Area.objects.current().filter(code__in=set(codes))
    if kind is not None:
        areas = areas.filter(kind=kind)
    found = dict(areas.values_list("code", "pk"))
    missing = sorted(set(codes) - set(found))
    if missing:
        raise ValidationError(
            _(
                "%(count)d units are missing (%(codes)s): load the administrative units "
                "first (vungxanh load-units)."
            )
            % {"count": len(missing), "codes": ", ".join(missing[:5])}
        )
    return found


def ncsc_records(provinces: dict[str, int]) -> list[dict[str, Any]]:
    """Return one daily count per province and date with a figure (empty cells skipped)."""
    codes, dates, cases, deaths = read_ncsc()
    reported = ~np.isnan(cases)
    if (reported != ~np.isnan(deaths)).any():
        raise ValueError("the NCSC files leave different cells empty")
    rows, cols = np.nonzero(reported)
    new_cases = cases[rows, cols]
    new_deaths = deaths[rows, cols]
    if (new_cases % 1).any() or (new_deaths % 1).any() or (new_cases < 0).any():
        raise ValueError("the NCSC files hold a value that is not a whole number")
    province_ids = [provinces[c] for c in codes]
    return [
        {"area_id": province_ids[r], "date": dates[c], "unknown": n, "deaths": d}
        for r, c, n, d in zip(
            rows.tolist(),
            cols.tolist(),
            new_cases.astype(np.int64).tolist(),
            new_deaths.astype(np.int64).tolist(),
            strict=True,
        )
    ]


def load_ncsc(*, actor=None) -> ImportResult:
    """Store the portal series of all 63 provinces as ``moh-ncsc`` (new cases as "unknown")."""
    provinces = area_ids(ncsc_crosswalk().values(), AreaKind.PROVINCE)
    return services.import_records(
        "daily",
        ncsc_records(provinces),
        actor=actor,
        series_code=NCSC_SERIES,
        label=NCSC_CASES.name,
        source=NCSC_SOURCE,
    )


def _whole(text: str) -> int | None:
    return int(text) if text.strip() else None


def read_cantho_daily() -> list[dict[str, Any]]:
    """Return the rows of cantho_daily_2021.csv with dates and whole numbers parsed."""
    with CANTHO_DAILY.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["date"] = dt.date.fromisoformat(row["date"])
        for name in CANTHO_NUMBERS:
            row[name] = _whole(row[name])
    return rows


def read_cantho_districts() -> list[dict[str, Any]]:
    """Return the rows of cantho_district_cumulative_2021.csv, with the district's code."""
    with CANTHO_DISTRICTS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["date"] = dt.date.fromisoformat(row["date"])
        row["code"] = CANTHO_DISTRICTS_BY_NAME[row["district"]]
        row["cumulative_cases"] = _whole(row["cumulative_cases"])
        row["new_cases_that_day"] = _whole(row["new_cases_that_day"])
    return rows


def cantho_daily_record(row: dict[str, Any], city_id: int) -> dict[str, Any]:
    """Return the city's daily count of one report; what it did not split is "unknown"."""
    split = {
        "quarantine": row["in_quarantine"] or 0,
        "lockdown": row["in_lockdown"] or 0,
        "home_isolation": row["home_isolation"] or 0,
        # QĐ 4800: a case found outside quarantine, lockdown and home isolation is a
        # community case, whether screened at a health facility or in the community.
        "community": (row["screening"] or 0) + (row["community"] or 0),
    }
    unknown = row["new_cases"] - sum(split.values())
    if unknown < 0:
        raise ValueError(f"cantho_daily_2021.csv {row['date']}: the split exceeds new_cases")
    return {
        "area_id": city_id,
        "date": row["date"],
        **split,
        "unknown": unknown,
        "deaths": row["deaths"] or 0,
        "source": row["source_url"],
    }


def load_cantho_press(*, actor=None) -> list[ImportResult]:
    """Store the city's and the districts' reported daily counts as ``cantho-doh``.

    Rows that give only cumulative totals are not daily counts and are left out (they are
    shipped and read by the demo model). Returns one result per file.
    """
    ids = area_ids([CANTHO_CODE, *CANTHO_DISTRICTS_BY_NAME.values()])
    city = [
        cantho_daily_record(row, ids[CANTHO_CODE])
        for row in read_cantho_daily()
        if row["new_cases"] is not None
    ]
    districts = [
        {
            "area_id": ids[row["code"]],
            "date": row["date"],
            "unknown": row["new_cases_that_day"],
            "source": row["source_url"],
        }
        for row in read_cantho_districts()
        if row["new_cases_that_day"] is not None
    ]
    return [
        services.import_records(
            "daily",
            records,
            actor=actor,
            series_code=CANTHO_SERIES,
            label=path.name,
            source=CANTHO_SOURCE,
        )
        for records, path in ((city, CANTHO_DAILY), (districts, CANTHO_DISTRICTS))
    ]


def describe(series_code: str, *results: ImportResult) -> str:
    """Return one line saying what one load (of one or more files) did."""
    checks = [r.check for r in results]
    return _(
        "%(series)s · %(file)s: %(rows)d rows, %(new)d new, %(corrected)d corrected, "
        "%(unchanged)d unchanged."
    ) % {
        "series": series_code,
        "file": " + ".join(c.file_name for c in checks),
        "rows": sum(c.rows for c in checks),
        "new": sum(c.new for c in checks),
        "corrected": sum(c.corrected for c in checks),
        "unchanged": sum(c.unchanged for c in checks),
    }
