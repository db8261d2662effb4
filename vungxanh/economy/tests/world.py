"""Shared pieces of the economy tests: valid tax codes, a business applicant, values."""

from __future__ import annotations

from vungxanh.accounts.roles import Role
from vungxanh.domain import taxcode
from vungxanh.testing import BaseTestCase, make_user


def tax_code(n: int, province: str = "18") -> str:
    """Return the n-th valid tax code of a province block (Cần Thơ's is 18)."""
    found = 0
    for sequence in range(1, 10_000_000):
        base = f"{province}{sequence:07d}"
        digit = taxcode.check_digit(base)
        if digit is None:
            continue
        found += 1
        if found == n:
            return f"{base}{digit}"
    raise ValueError(n)


def values(n: int = 1, **changes) -> dict:
    """The values of a grocery of An Hòa, as a form or a service takes them."""
    return {
        "name": f"Tạp hóa số {n}",
        "tax_code": tax_code(n),
        "kind": "household",
        "vsic_code": "47112",
        "address": f"{n} Trần Hưng Đạo",
        "workers": 3,
        "essential_goods": True,
        "goods": "Lương thực, thực phẩm",
        "public_investment": False,
        "investor": "",
        "phone": "0912345678",
        "email": "",
    } | changes


class EconomyTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.business = make_user("business_anhoa", Role.BUSINESS, cls.anhoa)
        cls.planning = make_user("dept_planning", Role.DEPT_PLANNING, cls.cantho)
