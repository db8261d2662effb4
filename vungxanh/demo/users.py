"""One demo user per role, placed where Quận Ninh Kiều's work in September 2021 happened."""

from __future__ import annotations

from dataclasses import dataclass

from vungxanh.accounts import services as accounts
from vungxanh.accounts.models import User
from vungxanh.accounts.roles import Role
from vungxanh.areas.models import Area

# Printed when the demo starts; the demo runs on a laptop, never on a server.
DEMO_PASSWORD = "vungxanh-2021"


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: Role
    area_code: str


DEMO_USERS = [
    DemoUser("quantri", "Quản trị hệ thống", Role.ADMIN, "VN"),
    DemoUser("bcd.cantho", "Ban Chỉ đạo TP Cần Thơ", Role.STEERING, "92"),
    DemoUser("bcd.ninhkieu", "Ban Chỉ đạo Quận Ninh Kiều", Role.STEERING, "916"),
    DemoUser("phuong.anhoa", "UBND Phường An Hòa", Role.WARD_OFFICIAL, "31120"),
    DemoUser("phuong.tanan", "UBND Phường Tân An", Role.WARD_OFFICIAL, "31135"),
    DemoUser("yte.ninhkieu", "Trung tâm Y tế Quận Ninh Kiều", Role.HEALTH_OFFICER, "916"),
    DemoUser("sct.cantho", "Sở Công Thương Cần Thơ", Role.DEPT_INDUSTRY_TRADE, "92"),
    DemoUser("sxd.cantho", "Sở Xây dựng Cần Thơ", Role.DEPT_CONSTRUCTION, "92"),
    DemoUser(
        "sldtbxh.cantho", "Sở Lao động – Thương binh và Xã hội Cần Thơ", Role.DEPT_LABOUR, "92"
    ),
    DemoUser("skhdt.cantho", "Sở Kế hoạch và Đầu tư Cần Thơ", Role.DEPT_PLANNING, "92"),
    DemoUser("doanhnghiep.demo", "Doanh nghiệp mẫu (mô phỏng)", Role.BUSINESS, "916"),
    DemoUser("xem.ninhkieu", "Người xem Quận Ninh Kiều", Role.VIEWER, "916"),
]


def ensure_demo_users() -> list[DemoUser]:
    """Create the demo users and their memberships; running it again changes nothing."""
    for demo in DEMO_USERS:
        user = User.objects.filter(username=demo.username).first()
        if user is None:
            user = accounts.create_user(
                actor=None, username=demo.username, password=DEMO_PASSWORD, full_name=demo.full_name
            )
        area = Area.objects.current().get(code=demo.area_code)
        accounts.grant_membership(user, area, demo.role, actor=None, reason="demo")
    return DEMO_USERS
