"""What each role does in Vùng Xanh: the honest first screen of roles with no data page yet.

A department officer or a business account signing in must not land on a page of zeros.
Their first screen lists the work their role has here: what they can open today (a link), and
what the system is being built to let them do (named, with the module it comes with, and no
link until that module is installed). Whether a piece of work is available is decided by
whether its page exists (its URL name resolves), so the page becomes a link by itself the day
the module ships, and never promises a page that is not there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from vungxanh.accounts.roles import DEPARTMENTS, Role


@dataclass(frozen=True)
class Work:
    """One piece of a role's work: a title, why it matters, and the page that does it."""

    title: object  # lazily translated
    purpose: object
    url_name: str
    module: object = ""  # the module it comes with, when it is not installed yet
    area_kwarg: bool = False  # the page takes the user's area code as ``code``
    area_query: bool = False  # the page takes the user's area as ``?area=``
    needs: tuple[str, ...] = field(default_factory=tuple)  # extra URL kwargs (none today)


@dataclass(frozen=True)
class WorkLink:
    work: Work
    url: str | None  # None: the module that does it is not installed yet


ECONOMY = _("the economy module (establishments, safety plans, permits)")
WELFARE = _("the welfare module (households, support programmes, payments)")
TARGETS = _("the targets and tasks module (the year's indicators, directives, overview)")

LEVELS_MAP = Work(
    _("Levels of your area"),
    _("The level that applies in every ward today, and where it comes from."),
    "risk:map",
    area_query=True,
)
PUBLIC_MAP = Work(
    _("Public map of levels"),
    _("The level that applies in every ward, as published to everyone."),
    "public:map",
)
CHANGE_LIST = Work(
    _("Where the green zone grows, business opens"),
    _(
        "The establishments newly allowed, limited or suspended when a ward's level changes, "
        "by ward and sector, with the list to send them."
    ),
    "reopening:changes",
    area_query=True,
)
RECOVERY = Work(
    _("Recovery indicators"),
    _(
        "Establishments allowed, limited and suspended over time, workers back at work, "
        "public-investment works running, permits and how long they take."
    ),
    "reopening:indicators",
    area_query=True,
)
LOCKDOWNS = Work(
    _("Lockdown zones"),
    _("Zones in force, the households inside, and when they may be lifted."),
    "lockdowns:index",
)

WORK_BY_ROLE: dict[Role, tuple[Work, ...]] = {
    Role.DEPT_INDUSTRY_TRADE: (
        Work(
            _("Review applications to reopen trade and production"),
            _(
                "Applications of shops, markets and factories in your sectors, essential goods "
                "first, with their safety plans and deadlines."
            ),
            "permits:list",
            module=ECONOMY,
        ),
        Work(
            _("Establishments and what they may do today"),
            _("Every establishment under the level of its ward: allowed, limited or suspended."),
            "economy:list",
            module=ECONOMY,
        ),
        CHANGE_LIST,
        LEVELS_MAP,
        LOCKDOWNS,
    ),
    Role.DEPT_CONSTRUCTION: (
        Work(
            _("Review construction site applications"),
            _(
                "Public-investment works first, then investors whose construction plan is "
                "safe; deadlines and reasons recorded."
            ),
            "permits:list",
            module=ECONOMY,
        ),
        Work(
            _("Construction works and their status"),
            _("Sites running, limited or suspended under the level of their ward."),
            "economy:list",
            module=ECONOMY,
        ),
        CHANGE_LIST,
        LEVELS_MAP,
        LOCKDOWNS,
    ),
    Role.DEPT_LABOUR: (
        Work(
            _("Support for residents"),
            _(
                "Households in lockdown zones, people treated or quarantined and workers who "
                "lost their income: who is eligible, what was paid, no one paid twice."
            ),
            "welfare:programmes",
            module=WELFARE,
        ),
        Work(
            _("Workplace safety plans"),
            _("Self-assessments of infection risk and testing schedules of workplaces."),
            "economy:list",
            module=ECONOMY,
        ),
        LEVELS_MAP,
        LOCKDOWNS,
    ),
    Role.DEPT_PLANNING: (
        Work(
            _("The year's targets and tasks"),
            _("Indicators against targets, tasks from working sessions, what is overdue."),
            "targets:index",
            module=TARGETS,
        ),
        RECOVERY,
        Work(
            _("Investment projects and permits"),
            _("Investors licensed with a safe construction plan, public-investment works."),
            "permits:list",
            module=ECONOMY,
        ),
        LEVELS_MAP,
        LOCKDOWNS,
    ),
    Role.BUSINESS: (
        Work(
            _("What may operate today, for anyone"),
            _("Look up a tax code, or a sector and a ward: what may operate and on what terms."),
            "reopening_public:lookup",
        ),
        Work(
            _("What your business may do today"),
            _(
                "Under the level of the ward it stands in: allowed, limited (capacity, hours) "
                "or suspended, and since when."
            ),
            "reopening:notices",
            module=ECONOMY,
        ),
        Work(
            _("Submit a safety plan and an application"),
            _("Apply to reopen or to operate beyond the level's default; follow its status."),
            "permits:list",
            module=ECONOMY,
        ),
        PUBLIC_MAP,
    ),
}

# Roles whose first screen is this page (the others land on a page of their data).
ROLES_WITH_WORK_PAGE = frozenset(DEPARTMENTS | {Role.BUSINESS})


def _url(work: Work, area_code: str | None) -> str | None:
    kwargs = {"code": area_code} if work.area_kwarg and area_code else {}
    try:
        url = reverse(work.url_name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None
    if work.area_query and area_code:
        url = f"{url}?{urlencode({'area': area_code})}"
    return url


def work_links(role: Role, area_code: str | None) -> list[WorkLink]:
    """The work of ``role`` with the page that does each, or None where it is not built yet."""
    return [WorkLink(work, _url(work, area_code)) for work in WORK_BY_ROLE.get(role, ())]
