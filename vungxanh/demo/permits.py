"""The demo's safety plans and permit applications: one in every state, queued as a department
sees them (essential goods and public-investment works first).

The demo's business account (``doanhnghiep.demo``) represents a handful of the simulated
establishments (demo/economy.py): three An Hòa businesses, three essential-goods shops and the
public-investment works. It writes their safety plans and applications through the permit
services, and the Department of Industry and Trade and the Department of Construction review
them, so the queue, the deadlines, the reasons and the printable permit all have something to
show. Everything here is simulated. A second run finds the applications and adds nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from vungxanh.accounts.models import User
from vungxanh.economy import services as economy
from vungxanh.economy.models import CONSTRUCTION_SECTION, Establishment
from vungxanh.permits import services
from vungxanh.permits.models import PermitApplication, PermitKind, SafetyPlan, State

BUSINESS_USER = "doanhnghiep.demo"
REVIEWERS = {"trade": "sct.cantho", "construction": "sxd.cantho"}
LOW_RISK = {"score": 18, "maximum": 100}  # QĐ 2194's form: 18 % — low risk, may operate
FIRST_DAY = dt.date(2021, 10, 1)


@dataclass(frozen=True)
class Story:
    """One application's path: its kind, the states it goes through, and why."""

    kind: str
    path: tuple[str, ...]  # after "submitted"
    reason: str = ""
    max_people: int | None = None
    description: str = "Đề nghị cho hoạt động trở lại theo phương án phòng, chống dịch đã lập."


# Trade applications (the eatery, shop and workshop, then three essential-goods shops) and the
# construction sites of the public works: every state a department meets.
TRADE_STORIES = (
    Story(
        PermitKind.BEYOND_DEFAULT,
        (State.UNDER_REVIEW, State.APPROVED),
        "Đủ điều kiện: phục vụ tại chỗ tối đa 10 khách một lúc.",
        max_people=10,
        description="Đề nghị phục vụ tại chỗ, tối đa 10 khách, giãn cách 2 m.",
    ),
    Story(PermitKind.REOPEN, (State.UNDER_REVIEW,)),
    Story(
        PermitKind.REOPEN,
        (State.UNDER_REVIEW, State.CHANGES_REQUESTED),
        "Bổ sung danh sách người lao động đã tiêm vắc xin và lịch xét nghiệm 7 ngày/lần.",
    ),
    Story(PermitKind.REOPEN, ()),
    Story(
        PermitKind.REOPEN,
        (State.UNDER_REVIEW, State.REJECTED),
        "Cơ sở nằm trong khu vực đang phong tỏa; nộp lại khi khu vực được gỡ phong tỏa.",
    ),
    Story(PermitKind.REOPEN, ()),
)
CONSTRUCTION_STORIES = (
    Story(
        PermitKind.CONSTRUCTION_SITE,
        (State.UNDER_REVIEW, State.APPROVED),
        "Phương án thi công bảo đảm an toàn phòng, chống dịch; công trình đầu tư công được ưu tiên.",
        description="Đề nghị thi công theo phương án “3 tại chỗ”.",
    ),
    Story(PermitKind.CONSTRUCTION_SITE, (State.UNDER_REVIEW,)),
    Story(PermitKind.CONSTRUCTION_SITE, ()),
)


def _users() -> tuple[User | None, dict[str, User], User | None]:
    business = User.objects.filter(username=BUSINESS_USER).first()
    reviewers = {
        key: user
        for key, name in REVIEWERS.items()
        if (user := User.objects.filter(username=name).first()) is not None
    }
    admin = User.objects.filter(username="quantri").first()
    return business, reviewers, admin


def _applicants() -> tuple[list[Establishment], list[Establishment]]:
    """The simulated establishments whose applications the demo tells."""
    simulated = Establishment.objects.filter(simulated=True)
    trade = list(
        simulated.filter(ward__code="31120", vsic_code__in=["56101", "47119", "14100"]).order_by(
            "vsic_code", "tax_code"
        )[:3]
    )
    trade += list(simulated.filter(essential_goods=True).order_by("tax_code")[:3])
    works = list(
        simulated.filter(public_investment=True, section=CONSTRUCTION_SECTION).order_by("tax_code")[
            : len(CONSTRUCTION_STORIES)
        ]
    )
    return trade, works


def _tell(story: Story, establishment: Establishment, business, reviewer) -> None:
    plan = SafetyPlan.objects.filter(establishment=establishment).first() or services.create_plan(
        business,
        establishment,
        production_model="on_site" if establishment.section == "F" else "none",
        workers_on_site=max(1, min(establishment.workers or 5, 60)),
        scheme="vn-2194-2020",
        answers=LOW_RISK,
        test_every_days=7,
        responsible_person="Người phụ trách (mô phỏng)",
    )
    application = services.submit_application(
        business,
        establishment,
        plan=plan,
        kind=story.kind,
        first_day=FIRST_DAY,
        max_people=story.max_people,
        description=story.description,
    )
    for target in story.path:
        application = services.transition(
            reviewer, application, target, version=application.version, reason=story.reason
        )


def load_demo_permits(stdout) -> int:
    """Tell every story once; return how many applications were written."""
    business, reviewers, admin = _users()
    if business is None or admin is None or len(reviewers) < len(REVIEWERS):
        return 0
    trade, works = _applicants()
    written = 0
    for stories, establishments, reviewer in (
        (TRADE_STORIES, trade, reviewers["trade"]),
        (CONSTRUCTION_STORIES, works, reviewers["construction"]),
    ):
        for story, establishment in zip(stories, establishments, strict=False):
            if PermitApplication.objects.filter(establishment=establishment).exists():
                continue  # told on an earlier run
            if establishment.representative_id != business.pk:
                economy.set_representative(
                    establishment,
                    business,
                    actor=admin,
                    reason="Demo: the business account represents this establishment.",
                )
            _tell(story, establishment, business, reviewer)
            written += 1
    stdout.write(f"Permits: {written} applications written (simulated).")
    return written
