"""The plausible range of each number an establishment carries, declared once.

The form, the import's column, the service and the database's check constraint all read
these (as ``vungxanh/domain/bounds.py`` does for counts and days).
"""

from __future__ import annotations

WORKERS_MIN = 0
# The largest single workplaces in Vietnam employ tens of thousands (the largest footwear
# factories of Hồ Chí Minh City and Bình Dương, the electronics plants of Bắc Ninh and
# Thái Nguyên: around 50,000–60,000 each). 200,000 leaves room for any of them and still
# catches a count typed with extra zeros.
WORKERS_MAX = 200_000

NAME_MAX = 200
ADDRESS_MAX = 300
GOODS_MAX = 300
INVESTOR_MAX = 200
PHONE_MAX = 30
EMAIL_MAX = 254
