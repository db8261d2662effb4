"""Reads behind the lockdown pages, the API and the report. Nothing here writes.

Every read that starts from a request is scoped with ``Model.objects.for_user``. The lift
date of a zone is computed here from its facts (``facts_of``) by the domain rule
(``vungxanh.domain.lockdown.evaluate``), as known on a day: any past day can be replayed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vungxanh.accounts.roles import LOCKDOWN_RUNNERS, LOCKDOWN_TESTERS, Action, Role
from vungxanh.accounts.scoping import eligible_officials
from vungxanh.areas.models import Area, AreaKind
from vungxanh.domain import lockdown as rules
from vungxanh.domain.lockdown import CaseEvent, LiftDate, LiftRule, TestRound, ZoneFacts
from vungxanh.lockdowns.models import (
    LiftRuleRecord,
    LockdownZone,
    Scope,
    Shift,
    Status,
    TestingRound,
    ZoneCase,
    ZoneTransition,
)
from vungxanh.surveillance.models import CaseRecord, Detection, Series

SHARE_DAYS = 7
# The lift rule files; the one marked ``default = true`` is the rule a new zone gets.
RULES_DIR = Path(__file__).resolve().parent / "rules"


def today() -> dt.date:
    return timezone.localdate()


def default_day() -> dt.date:
    """The "as of" day of a page with no date: the demo's day in the demo, else today."""
    return settings.VX_DEMO_DAY if settings.DEMO else today()


def fmt(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


# -- rules ---------------------------------------------------------------------------------


@cache
def default_rule_code() -> str:
    """The id of the default lift rule (rule content: ``default = true`` in its file)."""
    return rules.default_rule_id(RULES_DIR)


_PARSED: dict[str, LiftRule] = {}


def rule_of(record: LiftRuleRecord) -> LiftRule:
    """Return the domain rule of a stored record (parsed once per version)."""
    if record.checksum not in _PARSED:
        doc = dict(record.document)
        source = dict(doc.get("source", {}))
        if isinstance(source.get("date"), str):
            source["date"] = dt.date.fromisoformat(source["date"])
            doc["source"] = source
        parsed = rules.parse_lift_rule(doc, file=f"{record.code}.toml")
        _PARSED[record.checksum] = parsed
    return _PARSED[record.checksum]


def current_rules() -> list[LiftRuleRecord]:
    return list(LiftRuleRecord.objects.filter(current=True).order_by("code"))


# -- the roster of a zone's officials -------------------------------------------------------
# Who stands at a post or inspects a zone: the people who run lockdowns on the ground (ward
# officials and the steering committee, LOCKDOWN_RUNNERS) and the health officers who test
# and watch the people inside (LOCKDOWN_TESTERS). The administrator runs the system, not
# the post; businesses, viewers and the departments have no duty in a zone.
ROSTER_ROLES = (LOCKDOWN_TESTERS[Action.ADD] | LOCKDOWN_RUNNERS[Action.ADD]) - {Role.ADMIN}


def roster(area: Area):
    """Active users with a roster role over the zone's commune ``area`` (on it or above)."""
    return eligible_officials(area, roles=ROSTER_ROLES)


# -- one zone --------------------------------------------------------------------------------
# The cases that count towards a zone's lift date: its index cases and those found inside.
COUNTED_RELATIONS = [ZoneCase.Relation.INDEX, ZoneCase.Relation.INSIDE]


def facts_of(zone: LockdownZone) -> ZoneFacts | None:
    """The cases and rounds that decide the zone's lift date; None before it starts.

    A part of a zone counts its own cases and rounds, the cases linked to the whole zone
    and the whole zone's rounds. A zone with parts counts every part's cases; the rounds
    of one part do not test the whole zone.
    """
    if zone.start_date is None:
        return None
    related = list(zone.parts.values_list("pk", flat=True))
    if zone.parent_id:
        related = [zone.parent_id]
    ids = [zone.pk, *related]
    counted = ZoneCase.objects.filter(zone_id__in=ids, relation__in=COUNTED_RELATIONS)
    rounds = TestingRound.objects.filter(zone_id__in=ids)
    return _facts(zone, list(counted), list(rounds))


def _facts(zone: LockdownZone, counted, testing_rounds) -> ZoneFacts:
    """The facts of a started zone from its (and its parts' or whole zone's) cases and rounds."""
    cases = tuple(CaseEvent(c.case_code, c.isolated_on) for c in counted)
    rounds = []
    for r in testing_rounds:
        whole = r.whole_zone
        if r.zone_id != zone.pk and not zone.parent_id:
            whole = False  # a part's round, seen from the whole zone
        key = str(r.number) if r.zone_id == zone.pk else f"{r.zone_id}.{r.number}"
        rounds.append(TestRound(key, r.day, rules.RoundStatus(r.status), r.positives, whole))
    return ZoneFacts(start=zone.start_date, cases=cases, rounds=tuple(rounds))


def lift_date(zone: LockdownZone, as_of: dt.date) -> LiftDate | None:
    """When the zone may be lifted under its rule, as known on ``as_of``."""
    facts = facts_of(zone)
    if facts is None:
        return None
    return rules.evaluate(facts, rule_of(zone.rule), as_of)


def describe_missing(lift: LiftDate) -> list[str]:
    """What is still missing, as sentences for the page and the report."""
    sentences = []
    for item in lift.missing:
        p = item.params
        if item.code == "wait":
            sentences.append(
                ngettext(
                    "%(days)d more day without a new case (until %(until)s)",
                    "%(days)d more days without a new case (until %(until)s)",
                    p["days"],
                )
                % {"days": p["days"], "until": fmt(p["until"])}
            )
        elif item.code == "rounds":
            sentence = ngettext(
                "%(needed)d more whole-zone testing round, all negative, after %(after)s; "
                "the last one at most %(within)d days before lifting",
                "%(needed)d more whole-zone testing rounds, all negative, after %(after)s; "
                "the last one at most %(within)d days before lifting",
                p["needed"],
            ) % {"needed": p["needed"], "after": fmt(p["after"]), "within": p["within"]}
            if p["have"]:
                sentence += " " + (
                    ngettext(
                        "(%(have)d of %(required)d round already done, negative)",
                        "(%(have)d of %(required)d rounds already done, negative)",
                        p["have"],
                    )
                    % {"have": p["have"], "required": p["required"]}
                )
            sentences.append(sentence)
        elif item.code == "stale":
            sentences.append(
                _(
                    "the testing round of %(day)s is more than %(within)d days old: "
                    "a new whole-zone round is needed before lifting"
                )
                % {"day": fmt(p["day"]), "within": p["within"]}
            )
        elif item.code == "results":
            sentences.append(
                _("the results of round %(round)s of %(day)s")
                % {"round": p["round"], "day": fmt(p["day"])}
            )
        elif item.code == "overdue":
            sentences.append(
                _("round %(round)s planned for %(day)s has not been recorded")
                % {"round": p["round"], "day": fmt(p["day"])}
            )
    return sentences


def lift_sentence(lift: LiftDate) -> str:
    """ "May be lifted from dd/mm" (the Vietnamese reads "có thể gỡ phong tỏa từ dd/mm").

    A date that rests on rounds not yet taken (or results not yet known) reads "expected"
    ("dự kiến"): it is where the count would end, not a date the facts confirm.
    """
    day = lift.shown.strftime("%d/%m")
    if lift.expected:
        return _("expected: may be lifted from %(day)s") % {"day": day}
    return _("may be lifted from %(day)s") % {"day": day}


@dataclass(frozen=True)
class LiftStatus:
    """What the zone list, the zone page, the API and the daily report say about lifting.

    One function (``lift_status``) computes it so that they say the same thing.
    """

    lift: LiftDate
    sentence: str
    missing: list[str]

    @property
    def date(self) -> dt.date:
        return self.lift.shown

    @property
    def expected(self) -> bool:
        return self.lift.expected

    @property
    def eligible(self) -> bool:
        return self.lift.eligible

    @property
    def dated(self) -> str:
        """The date for a table cell: dd/mm/yyyy, "expected dd/mm/yyyy" when it is."""
        if self.expected:
            return _("expected %(day)s") % {"day": fmt(self.date)}
        return fmt(self.date)

    @property
    def met(self) -> bool:
        """Every condition of the rule is met on the day asked (nothing missing)."""
        return self.lift.eligible and not self.missing


def lift_status(zone: LockdownZone, as_of: dt.date) -> LiftStatus | None:
    """The lift date of ``zone`` on ``as_of`` in words, with what is still missing."""
    lift = lift_date(zone, as_of)
    if lift is None:
        return None
    return LiftStatus(lift, lift_sentence(lift), describe_missing(lift))


def lift_statuses(zones: list[LockdownZone], as_of: dt.date) -> dict[int, LiftStatus | None]:
    """``lift_status`` of many zones in three queries, whatever their number (a list page).

    The zones need their ``rule`` loaded (``select_related``).
    """
    started = [z for z in zones if z.start_date is not None]
    part_ids: dict[int, list[int]] = {}
    for part_id, parent_id in LockdownZone.objects.filter(parent__in=started).values_list(
        "pk", "parent_id"
    ):
        part_ids.setdefault(parent_id, []).append(part_id)
    # A zone counts its parts' facts; a part counts its whole zone's.
    related = {z.pk: [z.parent_id] if z.parent_id else part_ids.get(z.pk, []) for z in started}
    wanted = {pk for z in started for pk in (z.pk, *related[z.pk])}
    cases: dict[int, list[ZoneCase]] = {}
    for c in ZoneCase.objects.filter(zone_id__in=wanted, relation__in=COUNTED_RELATIONS):
        cases.setdefault(c.zone_id, []).append(c)
    rounds: dict[int, list[TestingRound]] = {}
    for r in TestingRound.objects.filter(zone_id__in=wanted):
        rounds.setdefault(r.zone_id, []).append(r)
    found: dict[int, LiftStatus | None] = {z.pk: None for z in zones}
    for zone in started:
        ids = [zone.pk, *related[zone.pk]]
        # In the order ``facts_of`` reads them (the models' orderings).
        counted = sorted(
            (c for pk in ids for c in cases.get(pk, [])), key=lambda c: (c.isolated_on, c.case_code)
        )
        tested = sorted(
            (r for pk in ids for r in rounds.get(pk, [])),
            key=lambda r: (r.zone_id, r.day, r.number),
        )
        facts = _facts(zone, counted, tested)
        lift = rules.evaluate(facts, rule_of(zone.rule), as_of)
        found[zone.pk] = LiftStatus(lift, lift_sentence(lift), describe_missing(lift))
    return found


def status_on(zone: LockdownZone, day: dt.date, transitions=None) -> str | None:
    """The zone's status on ``day`` from its dated status changes (None: not yet decided)."""
    rows = transitions if transitions is not None else zone.transitions.all()
    changes = [(t.effective_on, rules.ZoneStatus(t.to_status)) for t in rows]
    if not changes:
        return Status.PROPOSED if zone.status == Status.PROPOSED else None
    found = rules.status_on(changes, day)
    return str(found) if found else None


@dataclass
class Containment:
    """Cases linked to a zone: found inside or outside it after its start."""

    index: list[ZoneCase] = field(default_factory=list)
    inside: list[ZoneCase] = field(default_factory=list)
    outside: list[ZoneCase] = field(default_factory=list)  # after the start: spill-over
    before_start: list[ZoneCase] = field(default_factory=list)

    @property
    def escaped(self) -> bool:
        return bool(self.outside)


def containment(zone: LockdownZone, links=None) -> Containment:
    result = Containment()
    rows = links if links is not None else zone.cases.all()
    for link in rows:
        if link.relation == ZoneCase.Relation.INDEX:
            result.index.append(link)
        elif zone.start_date is not None and link.isolated_on < zone.start_date:
            result.before_start.append(link)
        elif link.relation == ZoneCase.Relation.INSIDE:
            result.inside.append(link)
        else:
            result.outside.append(link)
    return result


# -- many zones ------------------------------------------------------------------------------
def zones(user, action: str = "view"):
    return LockdownZone.objects.for_user(user, action)


def statuses_on(rows, day: dt.date) -> dict[int, str | None]:
    """Each zone's status on ``day`` (None: not locked down yet), from its status changes."""
    transitions: dict[int, list[ZoneTransition]] = {}
    for t in ZoneTransition.objects.filter(zone__in=rows):
        transitions.setdefault(t.zone_id, []).append(t)
    return {zone.pk: status_on(zone, day, transitions.get(zone.pk, [])) for zone in rows}


def locked_on(rows, day: dt.date) -> list[LockdownZone]:
    """The zones of ``rows`` in force (active or partly lifted) on ``day``."""
    statuses = statuses_on(rows, day)
    found = []
    for zone in rows:
        if statuses[zone.pk] in (Status.ACTIVE, Status.PARTLY_LIFTED):
            zone.status_then = statuses[zone.pk]
            found.append(zone)
    return found


def unstaffed_shifts(user, day: dt.date):
    """Shifts overlapping ``day`` with fewer officials than they need, in the user's areas."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = start + dt.timedelta(days=1)
    return (
        Shift.objects.for_user(user, "view")
        .filter(starts_at__lt=end, ends_at__gt=start)
        .filter(post__zone__status__in=[Status.ACTIVE, Status.PARTLY_LIFTED])
        .annotate(staff=Count("assignments"))
        .filter(staff__lt=F("required_staff"))
        .select_related("post", "post__zone", "post__zone__area")
        .order_by("starts_at")
    )


@dataclass(frozen=True)
class WardShare:
    """New cases of a commune over a window, and how many were found inside zones."""

    area: Area
    new_cases: int
    inside: int

    @property
    def share(self) -> float | None:
        return self.inside / self.new_cases if self.new_cases else None

    @property
    def under_control(self) -> bool:
        return self.new_cases > 0 and self.inside == self.new_cases


def case_series(user, area: Area) -> list[Series]:
    """The series with case records under ``area`` the user may read, by priority."""
    ids = (
        CaseRecord.objects.for_user(user, "view")
        .current()
        .filter(area__path__startswith=area.path)
        .order_by()
        .values_list("series_id", flat=True)
        .distinct()
    )
    return list(Series.objects.filter(pk__in=list(ids)))


def in_force_on(day_ref, prefix: str = "") -> Q:
    """Zones in force on the day ``day_ref`` (a date or an ``OuterRef``) names: activated
    by then (not merely proposed) and not lifted yet. ``prefix`` reaches the zone through
    a relation ("zone__")."""
    return (
        ~Q(**{f"{prefix}status": Status.PROPOSED})
        & Q(**{f"{prefix}start_date__lte": day_ref})
        & (Q(**{f"{prefix}lifted_on__isnull": True}) | Q(**{f"{prefix}lifted_on__gt": day_ref}))
    )


def _window_cases(user, series: Series, day: dt.date, days: int):
    first = day - dt.timedelta(days=days - 1)
    return (
        CaseRecord.objects.for_user(user, "view")
        .current()
        .filter(series=series, confirmed_date__range=(first, day))
    )


def share_communes(user, area: Area, day: dt.date, series: Series | None, days: int = SHARE_DAYS):
    """The communes under ``area`` for the shares table: those with new cases first.

    A queryset, so that a page of it is read, not the ten thousand communes of the country.
    """
    rows = (
        Area.objects.for_user(user, "view")
        .current()
        .filter(path__startswith=area.path, kind=AreaKind.COMMUNE)
    )
    if series is None:
        return rows.order_by("name", "code")
    new_cases = _window_cases(user, series, day, days).filter(area_id=OuterRef("pk"))
    return rows.annotate(has_cases=Exists(new_cases)).order_by("-has_cases", "name", "code")


def ward_shares(
    user,
    area: Area,
    day: dt.date,
    series: Series | None,
    days: int = SHARE_DAYS,
    communes: list[Area] | None = None,
) -> list[WardShare]:
    """Each commune under ``area``: new cases in the ``days`` up to ``day``, and inside zones.

    A case counts as found inside a lockdown zone only when a zone was in force around it
    on the day it was confirmed: the case is linked to that zone as found inside it, or it
    was reported as found in a lockdown zone (or the zone closes the whole ward) in the
    ward of a zone in force that day. A case reported "found in a lockdown zone" in a ward
    with no zone in force does not count. One grouped query per count. ``communes``: only
    these (a page of ``share_communes``); by default every commune under ``area``.
    """
    if series is None:
        return []
    if communes is None:
        communes = list(
            Area.objects.for_user(user, "view")
            .current()
            .filter(path__startswith=area.path, kind=AreaKind.COMMUNE)
            .order_by("name")
        )
    if not communes:
        return []
    cases = _window_cases(user, series, day, days).filter(area__in=communes)
    confirmed = OuterRef("confirmed_date")
    linked = ZoneCase.objects.filter(
        case_code=OuterRef("case_code"), relation=ZoneCase.Relation.INSIDE
    ).filter(
        Q(zone__parent__isnull=True) & in_force_on(confirmed, "zone__")
        | Q(zone__parent__isnull=False) & in_force_on(confirmed, "zone__parent__")
    )
    around = LockdownZone.objects.filter(
        in_force_on(confirmed), parent__isnull=True, area_id=OuterRef("area_id")
    )
    inside_q = (
        Exists(linked)
        | (Q(detection=Detection.LOCKDOWN) & Exists(around))
        | Exists(around.filter(scope_type=Scope.WHOLE_WARD))
    )
    totals = dict(cases.order_by().values_list("area_id").annotate(n=Count("id")))
    inside = dict(cases.filter(inside_q).order_by().values_list("area_id").annotate(n=Count("id")))
    return [WardShare(a, totals.get(a.pk, 0), inside.get(a.pk, 0)) for a in communes]
