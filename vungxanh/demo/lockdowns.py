"""The demo's lockdown zones: Cần Thơ's real July 2021 lockdowns, and simulated ones.

``load_demo_lockdowns`` (run at the end of ``vungxanh demo``; a second run changes nothing):

1. loads the lift rules (``vungxanh/lockdowns/rules``);
2. **real zones** — every row of the shipped ``ninhkieu_lockdowns_2021.csv`` with a decision
   date (10 Ninh Kiều rows, 9 with a date, and 4 of Bình Thủy and Thới Lai): the scope as
   printed, households, persons, the decision date and start, the reason (without the
   initials of the people named) and the source address, as the press reported them. The
   ward of the city hospital (26/7) is not in the source; it is taken from the hospital's
   address (4 Châu Văn Liêm, P. Tân An) and said so. Rows reported without a decision date
   are not loaded. Everything the record is silent on is **simulated and labelled so**:
   the outline (an approximate square inside the approximate ward boundary, sized from the
   area printed, else from the households), the index cases (from the simulated line list
   ``cantho-sim``), the testing rounds, the posts, shifts and inspections, and the lifting
   (no lift decision was found, PROVENANCE.md): each zone is lifted, by a simulated
   decision, on the first day the lift rule allows. The largest zone, around chợ Tân An,
   is split into three parts lifted from lower to higher risk;
3. **simulated zones** (names end in "(mô phỏng)") as of the demo's day, 23/09/2021: an
   active zone in An Hòa whose lift date moved when a new case was found inside it, with
   posts, shifts (one short of officials on 23/9), check-ins, inspections, needs, and a
   case linked to it but found outside (a spill-over); a partly lifted zone in Tân An (its
   low-risk part lifted, its high-risk part not); a lifted zone in Xuân Khánh; a zone
   proposed in Hưng Lợi.

Cases come from ``cantho-sim`` when the demo's line list is loaded (cases of the ward
confirmed around the day needed); without it, zones get no index case.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import shape

from vungxanh.accounts.models import User
from vungxanh.areas import services as areas
from vungxanh.areas.models import Area, AreaKind, SubunitType
from vungxanh.audit.context import acting_through
from vungxanh.domain.areas import fold_name
from vungxanh.lockdowns import queries, services
from vungxanh.lockdowns.models import LockdownZone, Status, TestingRound, ZoneCase
from vungxanh.surveillance import loaders
from vungxanh.surveillance.models import CaseRecord, Detection

LOCKDOWNS_CSV = loaders.CANTHO_DIR / "ninhkieu_lockdowns_2021.csv"
SIM_SERIES = "cantho-sim"
DEMO_DAY = settings.VX_DEMO_DAY
RULE = "vn-lockdown-14d"
SIMULATED = "mô phỏng"
STEERING, WARD_TAN_AN, WARD_AN_HOA, HEALTH = (
    "bcd.ninhkieu",
    "phuong.tanan",
    "phuong.anhoa",
    "yte.ninhkieu",
)
# The hospital's ward is not in the source; its address is 4 Châu Văn Liêm, P. Tân An.
HOSPITAL_WARD = "Tân An"
REAL_NOTE = (
    "Thật (theo nguồn): phạm vi, số hộ, số người, ngày quyết định và giờ bắt đầu. "
    "Mô phỏng: đường ranh (minh họa), ca chỉ điểm (chuỗi mô phỏng cantho-sim), các đợt xét "
    "nghiệm, chốt, ca trực, kiểm tra và quyết định gỡ phong tỏa (không tìm thấy quyết định gỡ "
    "trong nguồn)."
)
# Stored texts of the demo's records are Vietnamese data, not interface text.
LIFT_REASON = "Mô phỏng: đủ điều kiện gỡ theo quy tắc (nguồn không có quyết định gỡ)."
SIM_CASE = "mô phỏng: ca của chuỗi mô phỏng cantho-sim"
SIM_NOTE = "Khu phong tỏa mô phỏng (simulated) cho bản trình diễn; không phải số liệu thật."
PEOPLE = re.compile(r"\b(bà|ông|anh|chị)\s+[A-ZĐ](?:\.[A-ZĐ])*\.?(?:,\s*\d+)?", re.IGNORECASE)
AREA_M2 = re.compile(r"~\s*([\d.,]+)\s*(m2|ha)")
KHU_VUC = re.compile(r"khu vực (\d+)", re.IGNORECASE)
DEFAULT_M2 = 5000
M2_PER_HOUSEHOLD = 60


# -- the shipped record ------------------------------------------------------------------------
@dataclass
class RealRow:
    index: int
    decision_date: dt.date
    district: str
    ward: str
    scope: str
    households: int | None
    persons: int | None
    start: dt.date | None
    start_time: dt.time | None
    reason: str
    source_url: str
    notes: str
    ward_inferred: bool = False


def _int(text: str) -> int | None:
    text = text.strip().replace(".", "").replace(",", "")
    return int(text) if text.isdigit() else None


def read_real_rows() -> tuple[list[RealRow], list[str]]:
    """Return the rows with a decision date, and a description of each row left out."""
    rows, skipped = [], []
    with LOCKDOWNS_CSV.open(encoding="utf-8", newline="") as handle:
        for index, raw in enumerate(csv.DictReader(handle), start=1):
            date_text = raw["decision_date"].strip()
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date_text):
                skipped.append(f"{raw['ward']} ({date_text})")
                continue
            ward = raw["ward"].strip()
            inferred = ward.startswith("(")
            start, start_time = None, None
            text = raw["start"].strip()
            if text:
                start = dt.date.fromisoformat(text[:10])
                if len(text) > 10:
                    start_time = dt.time.fromisoformat(text[11:])
            rows.append(
                RealRow(
                    index=index,
                    decision_date=dt.date.fromisoformat(date_text),
                    district=raw["district"].strip(),
                    ward=HOSPITAL_WARD if inferred else ward,
                    scope=raw["scope"].strip(),
                    households=_int(raw["households"]),
                    persons=_int(raw["persons"]),
                    start=start,
                    start_time=start_time,
                    reason=PEOPLE.sub("một người", raw["reason"].strip()),
                    source_url=raw["source_url"].strip(),
                    notes=raw["notes"].strip(),
                    ward_inferred=inferred,
                )
            )
    return rows, skipped


def short_name(row: RealRow) -> str:
    """A name for the list: the scope up to its first comma, colon or bracket, and the ward."""
    head = re.split(r"[,:(]| — ", row.scope, maxsplit=1)[0].strip().strip('"')
    head = head[:1].upper() + head[1:]
    return f"{head[:90]} – {row.ward}"


def scope_type(scope: str) -> str:
    text = scope.lower()
    if "toàn phường" in text or "toàn bộ xã" in text or "toàn xã" in text:
        return "whole_ward"
    if "bệnh viện" in text or "công ty" in text:
        return "workplace"
    if "khách sạn" in text or "tầng" in text:
        return "building"
    if text.startswith(("một phần tổ", "một phần khu vực")):
        return "residential_group"
    if "hẻm" in text:
        return "alley"
    if "tổ" in text or "khu vực" in text or "khu dân cư" in text:
        return "residential_group"
    return "street_segment"


def area_m2(row: RealRow) -> float:
    found = AREA_M2.search(row.scope)
    if found:
        number = float(found[1].replace(".", "").replace(",", "."))
        return number * (10_000 if found[2] == "ha" else 1)
    if row.households:
        return max(row.households * M2_PER_HOUSEHOLD, 1500)
    return DEFAULT_M2


# -- geometry -----------------------------------------------------------------------------------
def square_inside(ward: Area, m2: float, slot: int) -> dict | None:
    """A square of ``m2`` inside the ward's boundary, at a spot chosen by ``slot``.

    Illustrative only (the press gave no outline): the first grid point, counted from the
    ward's inside point, where the square fits in the ward.
    """
    geometry = ward.boundary_geometry()
    if not geometry:
        return None
    boundary = shape(geometry)
    centre = boundary.representative_point()
    half = math.sqrt(m2) / 2
    dy = half / 110_574
    dx = half / (111_320 * math.cos(math.radians(centre.y)))
    step = 0.0025
    spots = [(0, 0)] + [
        (i, j)
        for r in range(1, 8)
        for i in range(-r, r + 1)
        for j in range(-r, r + 1)
        if max(abs(i), abs(j)) == r
    ]
    fitting = 0
    for i, j in spots:
        x, y = centre.x + i * step, centre.y + j * step
        box = {
            "type": "Polygon",
            "coordinates": [
                [
                    [round(x - dx, 6), round(y - dy, 6)],
                    [round(x + dx, 6), round(y - dy, 6)],
                    [round(x + dx, 6), round(y + dy, 6)],
                    [round(x - dx, 6), round(y + dy, 6)],
                    [round(x - dx, 6), round(y - dy, 6)],
                ]
            ],
        }
        if boundary.contains(shape(box)):
            if fitting == slot:
                return box
            fitting += 1
    return None


def strips(geometry: dict | None, count: int) -> list[dict | None]:
    """Cut a square into ``count`` vertical strips (the parts of a split zone)."""
    if not geometry:
        return [None] * count
    minx, miny, maxx, maxy = shape(geometry).bounds
    width = (maxx - minx) / count
    result = []
    for k in range(count):
        x0, x1 = round(minx + k * width, 6), round(minx + (k + 1) * width, 6)
        y0, y1 = round(miny, 6), round(maxy, 6)
        ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
        result.append({"type": "Polygon", "coordinates": [ring]})
    return result


# -- helpers ------------------------------------------------------------------------------------
@dataclass
class Cast:
    """The demo users who act; None (the system) when one is missing."""

    steering: User | None = None
    tan_an: User | None = None
    an_hoa: User | None = None
    health: User | None = None

    @classmethod
    def load(cls) -> Cast:
        users = {
            u.username: u
            for u in User.objects.filter(username__in=[STEERING, WARD_TAN_AN, WARD_AN_HOA, HEALTH])
        }
        return cls(
            users.get(STEERING), users.get(WARD_TAN_AN), users.get(WARD_AN_HOA), users.get(HEALTH)
        )


@dataclass
class Report:
    real: int = 0
    simulated: int = 0
    unchanged: int = 0
    missing_wards: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def ward_of(district: str, ward: str) -> Area | None:
    code = loaders.CANTHO_DISTRICTS_BY_NAME.get(district)
    if code is None:
        return None
    return (
        Area.objects.current()
        .filter(parent__code=code, kind=AreaKind.COMMUNE, folded_name__endswith=fold_name(ward))
        .first()
    )


def khu_vuc(ward: Area, scope: str) -> Area | None:
    """The ward's "Khu vực N" the scope names, created (audited) if it is not there yet."""
    found = KHU_VUC.search(scope)
    if not found:
        return None
    name = f"Khu vực {found[1]}"
    unit = Area.objects.filter(parent=ward, folded_name=fold_name(name)).first()
    if unit is None:
        unit = areas.create_subunit(
            ward, actor=None, name=name, unit_type=SubunitType.KHU_VUC, reason="demo lockdowns"
        )
    return unit


def sim_cases(
    ward: Area, first: dt.date, last: dt.date, n: int, *, detection: str = "", taken=()
) -> list[CaseRecord]:
    """Up to ``n`` cases of the simulated line list in ``ward`` confirmed between two days."""
    cases = (
        CaseRecord.objects.current()
        .filter(series__code=SIM_SERIES, area=ward, confirmed_date__range=(first, last))
        .exclude(case_code__in=ZoneCase.objects.values("case_code"))
        .exclude(case_code__in=list(taken))
    )
    if detection:
        cases = cases.filter(detection=detection)
    return list(cases.order_by("confirmed_date", "case_code")[:n])


def aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def negative_round(
    zone, actor, day: dt.date, samples: int, *, status: str = "done", note: str = ""
):
    round_ = services.plan_round(zone, actor=actor, day=day, note=note or SIMULATED)
    if status != TestingRound.RoundState.PLANNED:
        services.record_round(
            round_, actor=actor, status=status, samples=samples, note=note or SIMULATED
        )
    return round_


def lift_when_allowed(
    zone, actor, *, decision: str, after: dt.date | None = None, tester=None
) -> LockdownZone:
    """Lift, by a simulated decision, on the first day the rule allows (not before ``after``).

    When that day is too far from the last round, a last negative round is taken the day
    before, as a ward would before lifting.
    """
    zone = LockdownZone.objects.get(pk=zone.pk)
    facts = queries.facts_of(zone)
    horizon = max(
        [zone.start_date, *(r.day for r in facts.rounds), *(c.isolated_on for c in facts.cases)]
    )
    lift = queries.lift_date(zone, horizon + days(1))
    day = max(lift.earliest or lift.not_before, after or zone.start_date)
    for gap in (1, 1 + queries.rule_of(zone.rule).min_days_between_rounds):
        if queries.lift_date(zone, day).eligible:
            break
        negative_round(zone, tester, day - days(gap), samples_for(zone))
    return services.transition(
        zone,
        actor=actor,
        to=Status.LIFTED,
        decision_number=decision,
        decided_on=day - days(1),
        effective_on=day,
        reason=LIFT_REASON,
        simulated=True,
    )


def samples_for(zone) -> int:
    return zone.residents or (zone.households or 50) * 4


# -- real zones -----------------------------------------------------------------------------------
def _real_zone(row: RealRow, ward: Area, cast: Cast, slot: int) -> LockdownZone:
    code = f"CT-2021-{row.index:02d}"
    start = row.start or row.decision_date
    district = "Q. Ninh Kiều" if row.district == "Ninh Kiều" else row.district
    decision = (
        f"QĐ của Chủ tịch UBND {district} ngày {row.decision_date:%d/%m/%Y} "
        "(số quyết định không có trong nguồn)"
    )
    notes = REAL_NOTE
    if row.ward_inferred:
        notes += " Phường suy ra từ địa chỉ bệnh viện (4 Châu Văn Liêm, P. Tân An), không có trong nguồn."
    if row.notes:
        notes += f"\nGhi chú nguồn: {row.notes}"
    index = sim_cases(ward, start - days(3), start, 2)
    zone = services.create_zone(
        ward,
        actor=None,
        code=code,
        name=short_name(row),
        scope_type=scope_type(row.scope),
        unit=khu_vuc(ward, row.scope),
        scope_description=row.scope,
        geometry=square_inside(ward, area_m2(row), slot) or "",
        geometry_approximate=True,
        households=row.households,
        residents=row.persons,
        reason=row.reason,
        decision_number=decision,
        decided_on=row.decision_date,
        start_date=start,
        start_time=row.start_time,
        source_url=row.source_url,
        notes=notes,
    )
    for case in index:
        services.link_case(
            zone,
            actor=None,
            case_code=case.case_code,
            relation=ZoneCase.Relation.INDEX,
            note=SIM_CASE,
        )
    zone = services.transition(
        zone,
        actor=None,
        to=Status.ACTIVE,
        decision_number=decision,
        decided_on=row.decision_date,
        effective_on=start,
    )
    post = services.add_post(zone, actor=None, name=f"Chốt 1 ({SIMULATED})", location="lối vào")
    for offset in (0, 1):
        day = start + days(offset)
        shift = services.add_shift(
            post, actor=None, starts_at=aware(day, 6), ends_at=aware(day, 18)
        )
        for name in ("Công an phường", "Dân quân tự vệ"):
            services.assign_official(shift, actor=None, roster_name=f"{name} ({SIMULATED})")
    services.record_inspection(
        zone,
        actor=None,
        visited_at=aware(start + days(2), 9),
        inspector_name=f"Tổ kiểm tra ({SIMULATED})",
        findings=f"Người dân chấp hành quy định phong tỏa ({SIMULATED}).",
    )
    return zone


def _real_rounds_and_lift(
    zone: LockdownZone, cast: Cast, lift_after: dt.date | None = None
) -> None:
    start = zone.start_date
    negative_round(zone, cast.health, start + days(1), samples_for(zone))
    anchor = queries.lift_date(zone, start + days(1)).anchor
    for offset in (9, 13):
        negative_round(zone, cast.health, anchor + days(offset), samples_for(zone))
    lift_when_allowed(
        zone,
        cast.steering,
        tester=cast.health,
        decision=f"QĐ gỡ phong tỏa ({SIMULATED})",
        after=lift_after,
    )


def _market_zone(zone: LockdownZone, ward: Area, cast: Cast) -> None:
    """Chợ Tân An: split in three parts, cases inside the market, lifted low risk first."""
    shapes = strips(json.loads(zone.geometry) if zone.geometry else None, 3)
    parts = [
        services.create_part(
            zone,
            actor=cast.tan_an,
            name=f"Đường Ngô Đức Kế ({SIMULATED})",
            risk=1,
            geometry=shapes[0] or "",
            geometry_approximate=True,
            households=70,
            residents=480,
        ),
        services.create_part(
            zone,
            actor=cast.tan_an,
            name=f"Đường Hai Bà Trưng ({SIMULATED})",
            risk=2,
            geometry=shapes[1] or "",
            geometry_approximate=True,
            households=120,
            residents=850,
        ),
        services.create_part(
            zone,
            actor=cast.tan_an,
            name=f"Chợ Tân An ({SIMULATED})",
            risk=4,
            geometry=shapes[2] or "",
            geometry_approximate=True,
            households=76,
            residents=570,
        ),
    ]
    start = zone.start_date
    negative_round(zone, cast.health, start + days(1), samples_for(zone))
    for case in sim_cases(ward, start + days(2), start + days(6), 2, detection=Detection.LOCKDOWN):
        services.link_case(
            parts[2],
            actor=cast.health,
            case_code=case.case_code,
            relation=ZoneCase.Relation.INSIDE,
            note=SIM_CASE,
        )
    negative_round(zone, cast.health, start + days(9), samples_for(zone))
    negative_round(zone, cast.health, start + days(13), samples_for(zone))
    low = lift_when_allowed(
        parts[0],
        cast.steering,
        tester=cast.health,
        decision=f"QĐ gỡ phong tỏa một phần ({SIMULATED})",
    )
    medium = lift_when_allowed(
        parts[1],
        cast.steering,
        tester=cast.health,
        decision=f"QĐ gỡ phong tỏa một phần ({SIMULATED})",
        after=low.lifted_on + days(2),
    )
    high = parts[2]
    anchor = queries.lift_date(high, medium.lifted_on).anchor
    for offset in (9, 13):
        if anchor + days(offset) > start + days(13):
            negative_round(high, cast.health, anchor + days(offset), samples_for(high))
    lift_when_allowed(
        high,
        cast.steering,
        tester=cast.health,
        decision=f"QĐ gỡ phong tỏa ({SIMULATED})",
        after=medium.lifted_on + days(1),
    )


def load_real_zones(cast: Cast, report: Report) -> None:
    rows, skipped = read_real_rows()
    report.skipped = skipped
    slots: dict[int, int] = {}
    ninh_kieu = (
        Area.objects.current().filter(code=loaders.CANTHO_DISTRICTS_BY_NAME["Ninh Kiều"]).first()
    )
    for row in rows:
        code = f"CT-2021-{row.index:02d}"
        ward = ward_of(row.district, row.ward)
        if ward is None:
            report.missing_wards.append(f"{row.ward} ({row.district})")
            continue
        slot = slots.get(ward.pk, 0)
        slots[ward.pk] = slot + 1
        if LockdownZone.objects.filter(code=code).exists():
            report.unchanged += 1
            continue
        # The demo's users act in Ninh Kiều only; elsewhere the system records the facts.
        acting = cast if ninh_kieu and ward.path.startswith(ninh_kieu.path) else Cast()
        with transaction.atomic():
            zone = _real_zone(row, ward, acting, slot)
            if row.index == 1:
                _market_zone(zone, ward, acting)
            else:
                _real_rounds_and_lift(zone, acting)
        report.real += 1


# -- simulated zones (as of 23/09/2021) ------------------------------------------------------------
def _sim_zone(
    ward: Area, actor, *, code: str, name: str, start: dt.date | None, slot: int, **extra
):
    extra.setdefault("households", 18)
    extra.setdefault("residents", 72)
    zone = services.create_zone(
        ward,
        actor=actor,
        code=code,
        name=f"{name} ({SIMULATED})",
        scope_type=extra.pop("scope_type", "alley"),
        geometry=square_inside(ward, extra["households"] * M2_PER_HOUSEHOLD * 2, slot) or "",
        geometry_approximate=True,
        simulated=True,
        notes=SIM_NOTE,
        decided_on=start - days(1) if start else None,
        decision_number=f"QĐ phong tỏa ({SIMULATED})" if start else "",
        **extra,
    )
    if start:
        for case in sim_cases(ward, start - days(3), start, 1):
            services.link_case(
                zone,
                actor=actor,
                case_code=case.case_code,
                relation=ZoneCase.Relation.INDEX,
                note=SIM_CASE,
            )
        zone = services.transition(
            zone,
            actor=actor,
            to=Status.ACTIVE,
            decision_number=zone.decision_number,
            decided_on=start - days(1),
            effective_on=start,
            simulated=True,
        )
    return zone


def _duty(
    zone: LockdownZone, cast: Cast, first: dt.date, last: dt.date, short_on: dt.date | None
) -> None:
    """Two posts with day and night shifts; officials checked in on past shifts."""
    corners = [(None, None), (None, None)]
    if zone.geometry:  # the posts stand at two opposite corners of the drawn zone
        minx, miny, maxx, maxy = shape(json.loads(zone.geometry)).bounds
        corners = [(miny, minx), (maxy, maxx)]
    posts = [
        services.add_post(
            zone,
            actor=cast.an_hoa,
            name=f"Chốt {where} ({SIMULATED})",
            location=location,
            latitude=lat,
            longitude=lng,
        )
        for where, location, (lat, lng) in zip(
            ("đầu hẻm", "cuối hẻm"), ("lối vào", "lối ra"), corners, strict=True
        )
    ]
    day = first
    while day <= last:
        for post in posts:
            for begin in (6, 18):
                shift = services.add_shift(
                    post,
                    actor=cast.an_hoa,
                    starts_at=aware(day, begin),
                    ends_at=aware(day, begin) + dt.timedelta(hours=12),
                )
                names = ["Công an phường", "Dân quân tự vệ"]
                if day == short_on and begin == 18 and post is posts[1]:
                    names = names[:1]  # short of officials: flagged on the dashboard
                for who in names:
                    assignment = services.assign_official(
                        shift, actor=cast.an_hoa, roster_name=f"{who} ({SIMULATED})"
                    )
                    if shift.starts_at.date() < DEMO_DAY:
                        services.check_in(
                            assignment,
                            actor=cast.an_hoa,
                            at=shift.starts_at + dt.timedelta(minutes=5),
                        )
        day += days(1)
    if cast.an_hoa is not None and zone.area.code == "31120":
        shift = posts[0].shifts.order_by("starts_at").filter(starts_at__date__gte=DEMO_DAY).first()
        if shift is not None:
            services.assign_official(shift, actor=cast.an_hoa, user=cast.an_hoa)


def _moved_zone(ward: Area, cast: Cast, report: Report) -> None:
    """Active on 23/9; a case found inside on about 16/9 moved its lift date."""
    start = dt.date(2021, 9, 11)
    zone = _sim_zone(
        ward,
        cast.an_hoa,
        code="MP-2021-AH-1",
        name="Hẻm 8 Mậu Thân, khu vực 5",
        start=start,
        slot=3,
    )
    negative_round(zone, cast.health, start + days(1), samples_for(zone))
    found = sim_cases(
        ward, start + days(3), start + days(6), 1, detection=Detection.LOCKDOWN
    ) or sim_cases(ward, start + days(3), start + days(6), 1)
    if found:
        services.link_case(
            zone,
            actor=cast.health,
            case_code=found[0].case_code,
            relation=ZoneCase.Relation.INSIDE,
            note=SIM_CASE,
        )
    else:
        services.link_case(
            zone,
            actor=cast.health,
            case_code="MP-AH-0916",
            relation=ZoneCase.Relation.INSIDE,
            isolated_on=start + days(5),
            note=SIMULATED,
        )
    anchor = queries.lift_date(zone, DEMO_DAY).anchor
    negative_round(zone, cast.health, anchor + days(3), samples_for(zone))
    pending = anchor + days(5)
    status = "sampled" if pending <= DEMO_DAY else "planned"
    negative_round(zone, cast.health, pending, samples_for(zone), status=status)
    for offset in (11, 13):
        negative_round(
            zone, cast.health, anchor + days(offset), samples_for(zone), status="planned"
        )
    outside = sim_cases(
        Area.objects.filter(code="31117").first() or ward, start + days(6), DEMO_DAY, 1
    )
    if outside:
        services.link_case(
            zone,
            actor=cast.health,
            case_code=outside[0].case_code,
            relation=ZoneCase.Relation.OUTSIDE,
            note="mô phỏng: người liên quan khu phong tỏa, phát hiện bên ngoài",
        )
    _duty(zone, cast, DEMO_DAY - days(2), DEMO_DAY + days(1), short_on=DEMO_DAY)
    household = services.add_household(
        zone, actor=cast.an_hoa, address=f"8/3 Mậu Thân ({SIMULATED})", residents=5
    )
    services.add_household(
        zone, actor=cast.an_hoa, address=f"8/7 Mậu Thân ({SIMULATED})", residents=3
    )
    services.record_need(
        zone,
        actor=cast.an_hoa,
        kind="medicine",
        household=household,
        people=1,
        description=f"Thuốc huyết áp cho người cao tuổi ({SIMULATED})",
        requested_on=DEMO_DAY - days(1),
    )
    need = services.record_need(
        zone,
        actor=cast.an_hoa,
        kind="food",
        people=72,
        description=f"Gạo, rau, thực phẩm thiết yếu cho cả khu ({SIMULATED})",
        requested_on=start + days(1),
    )
    services.meet_need(
        need, actor=cast.an_hoa, met_on=start + days(2), handed_to="Ủy ban MTTQ phường"
    )
    services.record_inspection(
        zone,
        actor=cast.an_hoa,
        visited_at=aware(DEMO_DAY - days(3), 9),
        findings=f"Chốt hoạt động đủ ca; 1 hộ ra khỏi khu mua hàng ({SIMULATED}).",
        violations=[
            {
                "kind": "left_zone",
                "description": "1 người ra khỏi khu",
                "action_taken": "nhắc nhở, lập biên bản",
            }
        ],
    )
    services.record_inspection(
        zone,
        actor=cast.an_hoa,
        visited_at=aware(DEMO_DAY - days(1), 15),
        findings=f"Không phát hiện vi phạm ({SIMULATED}).",
    )


def _partly_lifted_zone(ward: Area, cast: Cast) -> None:
    start = dt.date(2021, 9, 1)
    zone = _sim_zone(
        ward,
        cast.tan_an,
        code="MP-2021-TA-1",
        name="Khu vực 2, đường Hai Bà Trưng",
        start=start,
        slot=4,
        households=40,
        residents=170,
        scope_type="residential_group",
    )
    low = services.create_part(
        zone,
        actor=cast.tan_an,
        name=f"Dãy số lẻ ({SIMULATED})",
        risk=1,
        households=22,
        residents=90,
    )
    high = services.create_part(
        zone,
        actor=cast.tan_an,
        name=f"Dãy số chẵn ({SIMULATED})",
        risk=3,
        households=18,
        residents=80,
    )
    negative_round(zone, cast.health, start + days(1), samples_for(zone))
    found = sim_cases(ward, start + days(7), start + days(11), 1)
    services.link_case(
        high,
        actor=cast.health,
        case_code=found[0].case_code if found else "MP-TA-0910",
        relation=ZoneCase.Relation.INSIDE,
        isolated_on=None if found else start + days(9),
        note=SIM_CASE if found else SIMULATED,
    )
    negative_round(zone, cast.health, start + days(11), samples_for(zone))
    negative_round(zone, cast.health, start + days(14), samples_for(zone))
    lift_when_allowed(
        low, cast.steering, tester=cast.health, decision=f"QĐ gỡ phong tỏa một phần ({SIMULATED})"
    )
    anchor = queries.lift_date(high, DEMO_DAY).anchor
    negative_round(high, cast.health, anchor + days(4), samples_for(high))
    for offset in (10, 13):
        status = "done" if anchor + days(offset) < DEMO_DAY else "planned"
        negative_round(high, cast.health, anchor + days(offset), samples_for(high), status=status)
    post = services.add_post(zone, actor=cast.tan_an, name=f"Chốt Hai Bà Trưng ({SIMULATED})")
    for day in (DEMO_DAY - days(1), DEMO_DAY):
        shift = services.add_shift(
            post, actor=cast.tan_an, starts_at=aware(day, 6), ends_at=aware(day, 18)
        )
        for who in ("Công an phường", "Tổ COVID cộng đồng"):
            services.assign_official(shift, actor=cast.tan_an, roster_name=f"{who} ({SIMULATED})")
    services.record_need(
        zone,
        actor=cast.tan_an,
        kind="food",
        people=80,
        description=f"Nhu yếu phẩm cho dãy số chẵn ({SIMULATED})",
        requested_on=DEMO_DAY,
    )


def _lifted_zone(ward: Area, cast: Cast) -> None:
    start = dt.date(2021, 8, 25)
    zone = _sim_zone(
        ward,
        cast.steering,
        code="MP-2021-XK-1",
        name="Hẻm 132 đường 3 Tháng 2",
        start=start,
        slot=2,
        households=30,
        residents=125,
    )
    negative_round(zone, cast.health, start + days(1), samples_for(zone))
    anchor = queries.lift_date(zone, start + days(1)).anchor
    for offset in (9, 13):
        negative_round(zone, cast.health, anchor + days(offset), samples_for(zone))
    services.record_inspection(
        zone,
        actor=cast.steering,
        visited_at=aware(start + days(5), 10),
        findings=f"Kiểm tra chốt, người dân chấp hành tốt ({SIMULATED}).",
    )
    lift_when_allowed(
        zone, cast.steering, tester=cast.health, decision=f"QĐ gỡ phong tỏa ({SIMULATED})"
    )


def _proposed_zone(ward: Area, cast: Cast) -> None:
    _sim_zone(
        ward,
        cast.steering,
        code="MP-2021-HL-1",
        name="Dãy trọ hẻm 91 Trần Hưng Đạo",
        start=None,
        slot=1,
        households=14,
        residents=41,
        reason=f"Ca nghi nhiễm chờ kết quả khẳng định ({SIMULATED})",
    )


SIMULATED_ZONES = (
    ("MP-2021-AH-1", "31120", "moved"),
    ("MP-2021-TA-1", "31135", "partly"),
    ("MP-2021-XK-1", "31144", "lifted"),
    ("MP-2021-HL-1", "31147", "proposed"),
)


def load_simulated_zones(cast: Cast, report: Report) -> None:
    builders = {
        "moved": lambda w: _moved_zone(w, cast, report),
        "partly": lambda w: _partly_lifted_zone(w, cast),
        "lifted": lambda w: _lifted_zone(w, cast),
        "proposed": lambda w: _proposed_zone(w, cast),
    }
    for code, ward_code, kind in SIMULATED_ZONES:
        if LockdownZone.objects.filter(code=code).exists():
            report.unchanged += 1
            continue
        ward = Area.objects.current().filter(code=ward_code).first()
        if ward is None:
            report.missing_wards.append(ward_code)
            continue
        with transaction.atomic():
            builders[kind](ward)
        report.simulated += 1


def load_demo_lockdowns(stdout) -> Report:
    """Load the demo's zones (see the module docstring); report through ``stdout``."""
    report = Report()
    with acting_through("cli:demo"):
        services.sync_lift_rules()
        cast = Cast.load()
        load_real_zones(cast, report)
        load_simulated_zones(cast, report)
    stdout.write(
        _(
            "Lockdowns: %(real)d real zones and %(sim)d simulated zones loaded, "
            "%(same)d already there; %(skipped)d rows of the record without a decision date "
            "not loaded."
        )
        % {
            "real": report.real,
            "sim": report.simulated,
            "same": report.unchanged,
            "skipped": len(report.skipped),
        }
    )
    if report.missing_wards:
        stdout.write(
            _("Lockdowns: wards not found, their zones skipped: %(wards)s")
            % {"wards": ", ".join(report.missing_wards)}
        )
    return report
