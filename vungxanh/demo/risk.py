"""The demo's levels: Ninh Kiều's wards through September–December 2021, the 63 provinces.

``load_demo_levels`` (run at the end of ``vungxanh demo``; a second run changes nothing):

1. loads the rule files;
2. gives the simulated series ``cantho-sim`` a weekly vaccination coverage for every
   commune of Cần Thơ — unless the series already has coverage from elsewhere — because
   QĐ 4800 cannot grade a ward without it: the adults' coverage the city published
   (``epidemic.COVERAGE``, interpolated between the published days), a few points up or
   down per ward so the wards differ, 74 % of people adults, 25 % aged 50+ and 8 % aged 65+,
   the older groups 7 and 10 points ahead of the adults. Simulated like the cases, and
   labelled so;
3. computes the levels of Cần Thơ from ``cantho-sim`` under vn-2686-2021 (when its inputs
   can be computed: its commune facts are judgements, so not yet), vn-green-zone-14d and
   vn-4800-2021, and of all 63 provinces from ``moh-ncsc`` under vn-4800-2021 — only what
   is older than the indicators it reads;
4. publishes Ninh Kiều's levels every Friday from 3/9 to 31/12/2021, under each rule set in
   force that day that graded some ward (not "not enough data"), as its steering committee
   (``bcd.ninhkieu``);
5. records what the committee actually did on 24/9/2021: the six Ninh Kiều wards the city
   kept under Chỉ thị 16 until 1/10 are decided "not a green zone", with the reason, where
   the rule computed them green;
6. loads the decisions actually announced (``risk.services_official``).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db.models import Max, Min
from django.utils.translation import gettext as _

from vungxanh.accounts.models import User
from vungxanh.areas.models import Area, AreaKind
from vungxanh.audit.context import acting_through
from vungxanh.domain.areas import fold_name
from vungxanh.risk import services
from vungxanh.risk import services_official as official
from vungxanh.risk.models import Assessment, AssessmentSeries, RuleSetRecord
from vungxanh.surveillance import services as surveillance
from vungxanh.surveillance.models import IndicatorSeries, Series, VaccinationCoverage

SIM_SERIES = "cantho-sim"
NCSC_SERIES = "moh-ncsc"
CITY = "92"
NINH_KIEU = "916"
STEERING_USER = "bcd.ninhkieu"
CITY_RULES = ("vn-2686-2021", "vn-green-zone-14d", "vn-4800-2021")
NATIONAL_RULES = "vn-4800-2021-moh"
FIRST_FRIDAY, LAST_DAY = dt.date(2021, 9, 3), dt.date(2021, 12, 31)
COVERAGE_SOURCE = "Vùng Xanh demo: độ phủ vắc-xin mô phỏng (simulated coverage)"
COVERAGE_LABEL = "vungxanh.demo.risk (simulated coverage)"
ADULT_SHARE, AGED_50_SHARE, AGED_65_SHARE = 0.74, 0.25, 0.08
AGED_50_AHEAD, AGED_65_AHEAD = 0.07, 0.10
# 24/9/2021: the city keeps six Ninh Kiều wards under Chỉ thị 16 until 1/10 (cantho_levels_2021).
KEPT_UNDER_CT16 = ("An Hòa", "An Khánh", "Cái Khế", "Hưng Lợi", "Tân An", "Xuân Khánh")
KEPT_ON = dt.date(2021, 9, 24)
KEPT_REASON = (
    "UBND TP Cần Thơ giữ phường tiếp tục áp dụng Chỉ thị 16 đến hết 1/10/2021 "
    "(công bố 23/9/2021), dù phường đủ 14 ngày không có ca cộng đồng mới."
)
KEPT_BASIS = "UBND TP Cần Thơ, 23/9/2021"


def fridays(first: dt.date = FIRST_FRIDAY, last: dt.date = LAST_DAY) -> list[dt.date]:
    return [first + dt.timedelta(days=7 * k) for k in range((last - first).days // 7 + 1)]


def load_demo_levels(stdout) -> None:
    """Load the demo's levels (see the module docstring); report through ``stdout``."""
    with acting_through("cli:demo"):
        services.sync_rulesets()
        city = Area.objects.current().filter(code=CITY).first()
        sim = Series.objects.filter(code=SIM_SERIES).first()
        if city is None or sim is None:
            stdout.write(_("Levels: Cần Thơ or the series cantho-sim is missing; skipped."))
            return
        _ensure_coverage(sim, city, stdout)
        computed = []
        for code in CITY_RULES:
            record = _computable(code, stdout)
            if record is not None:
                _compute(record, sim, [city], stdout)
                computed.append(record)
        ncsc = Series.objects.filter(code=NCSC_SERIES).first()
        national = _computable(NATIONAL_RULES, stdout)
        if ncsc is not None and national is not None:
            _compute(national, ncsc, None, stdout)
        _publish_weekly(computed, sim, stdout)
        _keep_under_ct16(sim, stdout)
        result = official.load_official_decisions()
        stdout.write(
            _(
                "Official decisions: %(new)d new, %(updated)d updated, %(same)d unchanged, "
                "%(skipped)d rows without a unit."
            )
            % {
                "new": result.created,
                "updated": result.updated,
                "same": result.unchanged,
                "skipped": len(result.skipped),
            }
        )


def _computable(code: str, stdout) -> RuleSetRecord | None:
    record = {r.code: r for r in services.computable_rulesets()}.get(code)
    if record is None:
        stdout.write(
            _("Levels: %(rules)s cannot be computed from the stored indicators; skipped.")
            % {"rules": code}
        )
    return record


# -- coverage of the simulated series ------------------------------------------------------


def _coverage_share(day: dt.date) -> tuple[float, float]:
    """The city's adults' coverage (one dose, full) on ``day``, linear between published days."""
    from vungxanh.demo.epidemic import COVERAGE

    ordinals = [d.toordinal() for d, _one, _full in COVERAGE]
    one = float(np.interp(day.toordinal(), ordinals, [c[1] for c in COVERAGE]))
    full = float(np.interp(day.toordinal(), ordinals, [c[2] for c in COVERAGE]))
    return one, full


def coverage_records(communes: list[Area], days: list[dt.date]) -> list[dict]:
    """Return the simulated coverage of ``communes`` on ``days`` as VaccinationCoverage fields."""
    records = []
    for area in communes:
        if not area.population:
            continue
        # A fixed offset of -4 … +4 points per ward, from its code: wards differ, reruns agree.
        offset = ((int("".join(c for c in area.code if c.isdigit()) or 0) * 37) % 9 - 4) / 100
        adults = round(area.population * ADULT_SHARE)
        aged_50 = round(area.population * AGED_50_SHARE)
        aged_65 = round(area.population * AGED_65_SHARE)
        for day in days:
            one, full = _coverage_share(day)
            one, full = (min(max(v + offset, 0.0), 0.99) for v in (one, full))
            full = min(full, one)
            records.append(
                {
                    "area_id": area.pk,
                    "date": day,
                    "adults": adults,
                    "adults_one_dose": round(adults * one),
                    "adults_full": round(adults * full),
                    "aged_50_plus": aged_50,
                    "aged_50_plus_full": round(aged_50 * min(full + AGED_50_AHEAD, 0.99)),
                    "aged_65_plus": aged_65,
                    "aged_65_plus_full": round(aged_65 * min(full + AGED_65_AHEAD, 0.99)),
                }
            )
    return records


def _ensure_coverage(series: Series, city: Area, stdout) -> None:
    others = (
        VaccinationCoverage.objects.filter(series=series).exclude(source=COVERAGE_SOURCE).exists()
    )
    if others:
        stdout.write(_("Levels: cantho-sim has its own vaccination coverage; none simulated."))
        return
    communes = list(
        Area.objects.current().filter(path__startswith=city.path, kind=AreaKind.COMMUNE)
    )
    first = dt.date(2021, 7, 9)  # the first Friday of the simulated period
    result = surveillance.import_records(
        "vaccination",
        coverage_records(communes, fridays(first, LAST_DAY)),
        actor=None,
        series_code=series.code,
        label=COVERAGE_LABEL,
        source=COVERAGE_SOURCE,
    )
    if result.written:
        stdout.write(
            _("Levels: simulated weekly vaccination coverage for %(n)d communes.")
            % {"n": len(communes)}
        )


# -- computing and publishing -------------------------------------------------------------


def _compute(record: RuleSetRecord, series: Series, provinces, stdout) -> None:
    """Compute the levels unless they are newer than every indicator they read."""
    levels = AssessmentSeries.objects.filter(ruleset=record, series=series)
    indicators = IndicatorSeries.objects.filter(series=series)
    if provinces:
        levels = levels.filter(area__path__startswith=provinces[0].path)
        indicators = indicators.filter(area__path__startswith=provinces[0].path)
    newest_input = indicators.aggregate(at=Max("computed_at"))["at"]
    oldest_level = levels.aggregate(at=Min("computed_at"))["at"]
    if newest_input is None:
        stdout.write(
            _("Levels: %(series)s has no indicators yet; %(rules)s skipped.")
            % {"series": series.code, "rules": record.code}
        )
        return
    if oldest_level is not None and oldest_level >= newest_input:
        stdout.write(
            _("Levels: %(rules)s on %(series)s up to date.")
            % {"rules": record.code, "series": series.code}
        )
        return
    written = services.compute_levels(record, series, provinces=provinces)
    stdout.write(
        _("Levels: %(rules)s on %(series)s: %(n)d areas computed.")
        % {"rules": record.code, "series": series.code, "n": written}
    )


def _publish_weekly(records: list[RuleSetRecord], series: Series, stdout) -> None:
    district = Area.objects.current().filter(code=NINH_KIEU).first()
    actor = User.objects.filter(username=STEERING_USER).first()
    if district is None or actor is None:
        stdout.write(
            _("Levels: Ninh Kiều or its steering committee user is missing; not published.")
        )
        return
    published = 0
    for day in fridays():
        for record in records:
            ruleset = services.ruleset_of(record)
            if ruleset.applies_on(day) and _graded(record, ruleset, series, day, district):
                published += len(
                    services.publish(
                        record,
                        series,
                        day,
                        district,
                        actor=actor,
                        legal_basis="Ban Chỉ đạo Quận Ninh Kiều (demo)",
                    )
                )
    stdout.write(
        _("Levels: %(n)d levels of Ninh Kiều published (Fridays, 3/9–31/12/2021).")
        % {"n": published}
    )


def _graded(record: RuleSetRecord, ruleset, series: Series, day: dt.date, district: Area) -> bool:
    """Whether the rule set graded some ward that day: a committee publishes levels, not
    "not enough data" (which would hide the city's own decisions behind an empty one)."""
    ranked = {level.key for level in ruleset.levels if level.state == "level"}
    wards = Area.objects.current().filter(parent=district)
    computed = services.levels_on(record, series, wards, day)
    return any(level.level_key in ranked for level in computed.values())


def _keep_under_ct16(series: Series, stdout) -> None:
    record = RuleSetRecord.objects.filter(code="vn-green-zone-14d", current=True).first()
    actor = User.objects.filter(username=STEERING_USER).first()
    if record is None or actor is None:
        return
    ruleset = services.ruleset_of(record)
    higher = [lv for lv in ruleset.ranked_levels() if lv.rank > 1]
    if not higher:
        return
    names = {fold_name(name) for name in KEPT_UNDER_CT16}
    decided = 0
    for assessment in Assessment.objects.filter(
        ruleset=record,
        series=series,
        date=KEPT_ON,
        area__parent__code=NINH_KIEU,
        area__folded_name__in=names,
    ).select_related("area", "ruleset"):
        if assessment.overridden or assessment.computed_rank >= higher[0].rank:
            continue
        services.decide_level(
            assessment,
            actor=actor,
            level_key=higher[0].key,
            reason=KEPT_REASON,
            legal_basis=KEPT_BASIS,
        )
        decided += 1
    if decided:
        stdout.write(
            _("Levels: %(n)d wards decided as kept under Chỉ thị 16 on 24/9/2021.") % {"n": decided}
        )
