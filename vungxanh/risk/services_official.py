"""The service that loads the decisions Cần Thơ actually took as ``OfficialDecision`` rows.

The source is ``cantho_levels_2021.csv`` as shipped with the surveillance data
(``vungxanh/surveillance/data/cantho_2021/``; see its PROVENANCE.md): one row per unit and
announcement, with the status or level as printed, the source page and a short quote.

Units are matched by name within Cần Thơ (accents and case ignored, ``fold_name``):
"TP Cần Thơ" is the city; a district row names the district ("Ninh Kiều"), or several in
brackets ("5 inner districts (Ninh Kiều, Bình Thủy, …)": one decision each); a ward row
names the ward and its district ("An Hòa (Ninh Kiều)"). "TP Cần Thơ except 9 wards" is
stored on the city with that qualification in its label. Rows that give a count without
names ("16 wards/communes (names not in excerpt)"), or no unit at all (a rule for "wards
with no new F0 for 14 consecutive days", a travel rule), are skipped and reported.

**Comparable level** (``rank``), so that decisions can be drawn beside computed levels:

=========================  ====  ============================================================
status as printed          rank  why
=========================  ====  ============================================================
"cấp độ N", "Cấp N"        N     the NQ 128 / QĐ 4800 level itself
"vùng xanh"                1     a green zone: the lowest level of every Vietnamese rule set
"Chỉ thị 16"               4     QĐ 2686 "nguy cơ rất cao": 14 days of Directive-16-style
                                 social distancing (RULES-VN §4.1) — the strictest level
"Chỉ thị 15"               3     QĐ 2686 "nguy cơ cao": no gatherings over 20 indoors or 10
                                 outdoors, 2 m apart — the measures of Directive 15
"A -> B"                   B's   the status the decision moves to
anything else              none  not a level (e.g. a travel rule)
=========================  ====  ============================================================

The Directive 15/16 correspondence is a judgement [P], not a legal equivalence: the
directives predate the level systems. Against a rule set with fewer levels (the green-zone
rule: green 1, not green 2) a chart shows any rank above its top at its top.

Loading is idempotent: a decision is identified by (unit, effective day, status); a second
load of the same file changes nothing and records nothing. A load that creates or updates
rows records one audit entry and, in the same transaction, an outbox row ("decision") for
the city, so the loop brings what depends on decided levels up to date.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from vungxanh.accounts.scoping import NATION_PATH, can
from vungxanh.areas.models import Area, AreaKind
from vungxanh.audit import services as audit
from vungxanh.domain.areas import fold, fold_name
from vungxanh.jobs.services import record_change
from vungxanh.risk.models import OfficialDecision

DATA_FILE = (
    Path(__file__).resolve().parents[1]
    / "surveillance"
    / "data"
    / "cantho_2021"
    / "cantho_levels_2021.csv"
)
CITY_CODE = "92"
MODEL_LABEL = "risk.officialdecision"
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
LEVEL_NUMBER = re.compile(r"\bcap(?: do)? ([1-4])\b")
COUNT_WITHOUT_NAMES = re.compile(r"^\d+ (wards|communes|wards/communes)\b")
FIELDS = ("label", "rank", "announced_on", "source_url", "quote")

# The shipped file keeps the researchers' notes as they were written (some in English); the pages
# show this curated Vietnamese wording instead. A status not listed is shown as printed.
STATUS_VI = {
    "Chỉ thị 16 (to 1/10)": "Chỉ thị 16 (đến 1/10)",
    "Chỉ thị 16 -> Chỉ thị 15 (last wards under CT16; whole city CT15 from 12h 30/9)": (
        "Chỉ thị 16 → Chỉ thị 15 (các phường cuối cùng theo CT16; toàn thành phố theo CT15 "
        "từ 12 giờ 30/9)"
    ),
    "Chỉ thị 16 (15 days from 0h 14/7)": "Chỉ thị 16 (15 ngày từ 0 giờ 14/7)",
    "Chỉ thị 16 (PM approval for 16 southern provinces, 14 days)": (
        "Chỉ thị 16 (Thủ tướng đồng ý cho 16 tỉnh phía Nam, 14 ngày)"
    ),
    "Chỉ thị 16 extended to 0h 25/8 (+ Chỉ thị 10/CT-UBND of 1/8/2021, stricter measures)": (
        "Chỉ thị 16 kéo dài đến 0 giờ 25/8 (kèm Chỉ thị 10/CT-UBND ngày 1/8/2021, "
        "biện pháp chặt chẽ hơn)"
    ),
    "Chỉ thị 16 extended 2 more weeks (to 8/9); 4th extension since 19/7": (
        "Chỉ thị 16 kéo dài thêm 2 tuần (đến 8/9); lần gia hạn thứ 4 kể từ 19/7"
    ),
    "Chỉ thị 16 extended to 0h 18/9": "Chỉ thị 16 kéo dài đến 0 giờ 18/9",
    "Chỉ thị 16 continues": "tiếp tục Chỉ thị 16",
    "green-zone ward: residents may go out to exercise in two time slots": (
        "phường vùng xanh: người dân được ra ngoài tập thể dục trong hai khung giờ"
    ),
    "arrivals from level 1–2 areas: no test; from level 3–4 areas: test + mandatory quarantine": (
        "người đến từ vùng cấp 1–2: không xét nghiệm; từ vùng cấp 3–4: xét nghiệm và cách ly "
        "bắt buộc"
    ),
    "cấp độ 2 (vùng vàng) — Bộ Y tế national assessment": (
        "cấp độ 2 (vùng vàng) — đánh giá toàn quốc của Bộ Y tế"
    ),
    "cấp độ 2 -> cấp độ 3 (previous city level was 2, vùng vàng)": (
        "cấp độ 2 → cấp độ 3 (cấp độ trước đó của thành phố là 2, vùng vàng)"
    ),
    "cấp độ 2 (vùng vàng) — Bộ Y tế national assessment as of 22/1/2022": (
        "cấp độ 2 (vùng vàng) — đánh giá toàn quốc của Bộ Y tế tính đến 22/1/2022"
    ),
    "cấp độ 1 (green) — Bộ Y tế weekly national assessment": (
        "cấp độ 1 (xanh) — đánh giá toàn quốc hằng tuần của Bộ Y tế"
    ),
}


@dataclass(frozen=True)
class Skipped:
    row: int  # line number in the file (the header is line 1)
    unit: str
    reason: str


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def comparable_rank(status: str) -> int | None:
    """Return the rank a printed status compares to (see the module's table), or None."""
    text = fold(status)
    if "->" in text:
        text = text.rsplit("->", 1)[1]
    number = LEVEL_NUMBER.search(text)
    if number:
        return int(number[1])
    if "vung xanh" in text:
        return 1
    if "chi thi 16" in text:
        return 4
    if "chi thi 15" in text:
        return 3
    return None


def _date(text: str) -> dt.date | None:
    found = ISO_DATE.search(text or "")
    return dt.date(int(found[1]), int(found[2]), int(found[3])) if found else None


class _Units:
    """Cần Thơ's city, districts and wards by folded name."""

    def __init__(self) -> None:
        current = Area.objects.current()
        self.city = current.filter(code=CITY_CODE).first()
        self.districts: dict[str, Area] = {}
        self.wards: dict[tuple[str, str], Area] = {}
        if self.city is None:
            return
        for district in current.filter(parent=self.city, kind=AreaKind.DISTRICT):
            self.districts[district.folded_name] = district
        for ward in current.filter(parent__parent=self.city, kind=AreaKind.COMMUNE).select_related(
            "parent"
        ):
            self.wards[(ward.parent.folded_name, ward.folded_name)] = ward

    def resolve(self, unit_type: str, unit: str) -> tuple[list[Area], str, str]:
        """Return (areas, label qualifier, why some or all of the named units are left out)."""
        text = unit.strip()
        folded = fold(text)
        if COUNT_WITHOUT_NAMES.match(folded):
            return [], "", _("a count of units without their names")
        if self.city is None:
            return [], "", _("Cần Thơ (code 92) is not loaded")
        bare = re.sub(r"\s*\(.*?\)", "", text).strip()
        if unit_type == "city":
            if fold(bare) == "tp can tho":
                return [self.city], "", ""
            if fold(bare).startswith("tp can tho except"):
                return [self.city], text[len("TP Cần Thơ") :].strip(), ""
            return [], "", _("not a unit")
        if unit_type == "district":
            inner = re.search(r"\((.*)\)", text)
            if inner and re.match(r"^(\w+ )?\d+ ", folded):
                names = [n.strip() for n in inner[1].split(",")]
            else:
                names = [bare]
            found = [self.districts.get(fold_name(n)) for n in names]
            missing = [n for n, area in zip(names, found, strict=True) if area is None]
            reason = (
                _("no district of Cần Thơ is named %(names)s") % {"names": ", ".join(missing)}
                if missing
                else ""
            )
            return [a for a in found if a is not None], "", reason
        if unit_type == "ward":
            district = re.search(r"\((.*)\)", text)
            if district is None:
                return [], "", _("not a unit")
            ward = self.wards.get((fold_name(district[1]), fold_name(bare)))
            if ward is None:
                return [], "", _("no ward of this name in that district")
            return [ward], "", ""
        return [], "", _("unknown unit type")


def read_decisions(path: Path = DATA_FILE) -> tuple[list[dict], list[Skipped]]:
    """Return the decisions of the file as OfficialDecision fields, and the rows skipped."""
    units = _Units()
    wanted: dict[tuple[int, dt.date, str], dict] = {}
    skipped: list[Skipped] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            announced = _date(row["date_announced"])
            effective = _date(row["effective_date"]) or announced
            if announced is None:
                skipped.append(Skipped(number, row["unit"], _("no date")))
                continue
            areas, qualifier, reason = units.resolve(row["unit_type"], row["unit"])
            if reason:
                skipped.append(Skipped(number, row["unit"], reason))
            status = row["level_or_status"].strip()
            shown = STATUS_VI.get(status, status)
            label = f"{shown} — {qualifier}" if qualifier else shown
            for area in areas:
                key = (area.pk, effective, label[:100])
                if key in wanted:
                    skipped.append(Skipped(number, row["unit"], _("the same decision again")))
                    continue
                wanted[key] = {
                    "area": area,
                    "effective_on": effective,
                    "label": label[:100],
                    "rank": comparable_rank(status),
                    "announced_on": announced,
                    "source_url": row["source_url"].strip()[:500],
                    "quote": row["quote"].strip(),
                }
    return list(wanted.values()), skipped


@transaction.atomic
def load_official_decisions(*, actor=None, path: Path = DATA_FILE) -> LoadResult:
    """Create or update the decisions of ``path``; rows not in the file are kept."""
    if not path.exists():
        raise FileNotFoundError(
            _("The file of decisions is not shipped yet: %(path)s") % {"path": path}
        )
    decisions, skipped = read_decisions(path)
    result = LoadResult(skipped=skipped)
    city = Area.objects.current().filter(code=CITY_CODE).first()
    if actor is not None and not can(actor, MODEL_LABEL, "add", city):
        raise PermissionDenied(_("You may not record official decisions for Cần Thơ."))
    existing = {
        (d.area_id, d.effective_on, d.label): d
        for d in OfficialDecision.objects.filter(area__path__startswith=city.path if city else "-")
    }
    new = []
    for fields in decisions:
        found = existing.get((fields["area"].pk, fields["effective_on"], fields["label"]))
        if found is None:
            new.append(OfficialDecision(**fields))
            continue
        changes = {f: fields[f] for f in FIELDS if getattr(found, f) != fields[f]}
        if changes:
            for name, value in changes.items():
                setattr(found, name, value)
            found.save(update_fields=list(changes))
            result.updated += 1
        else:
            result.unchanged += 1
    OfficialDecision.objects.bulk_create(new)
    result.created = len(new)
    if result.changed:
        audit.record(
            actor,
            "bulk_load",
            object_type=MODEL_LABEL,
            object_repr=path.name,
            area=city,
            after={
                "file": path.name,
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "skipped": len(result.skipped),
            },
        )
        record_change("decision", area_path=city.path if city else NATION_PATH)
    return result
