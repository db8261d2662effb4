"""Every page a Vietnamese user reads, rendered in Vietnamese, holds no English sentence or
internal key from the list of leaks seen by users (issue 11, item 4).

The world: the shared personas, levels computed by two rule sets and published (so the
level-changes table has rows), an official decision, lockdown zones created on the command
line (so the audit trail has ``cli:demo`` rows), and a decided level. Each persona opens every
page without arguments, the pages of an area, a zone and an audit entry; the text the user reads
(tags stripped, scripts and styles dropped) is searched for the leaks below.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from vungxanh.audit.context import acting_through
from vungxanh.audit.models import AuditEntry
from vungxanh.lockdowns import services as lockdowns
from vungxanh.lockdowns.tests.world import build_zones
from vungxanh.risk import services as risk
from vungxanh.risk.models import Assessment
from vungxanh.risk.tests.test_views import GREEN_DAY, OCTOBER_DAY, build_levels
from vungxanh.surveillance.models import ImportBatch
from vungxanh.testing import BaseTestCase

# (what the user saw, a pattern that finds it in the page's text)
LEAKS = [
    ("English rule note", re.compile(r"Complement of the rule above")),
    ("English word in a decision", re.compile(r"\bcontinues\b")),
    ("English series source", re.compile(r"Vùng Xanh demo model")),
    ("Django's English error page", re.compile(r"\bNot Found\b")),
    ("level key", re.compile(r"\bnot_green\b")),
    ("level key in a cell", re.compile(r"(?m)^\s*green\s*$")),
    (
        "audit action key",
        re.compile(
            r"(?m)^\s*(create|update|delete|lift|partly_lift|activate|link_case|bulk_load|import"
            r"|publish|recompute|check_in|acknowledge|designate_series|export_personal|undo)\s*$"
        ),
    ),
    ("audit source key", re.compile(r"(?m)^\s*system\s*$")),
    ("rule set code", re.compile(r"\bvn-[a-z0-9]+(?:-[a-z0-9]+)+\b")),
    (
        "object type key",
        re.compile(r"\b(lockdowns|risk|areas|surveillance|imports|audit)\.[a-z]+\b"),
    ),
    ("audit source key", re.compile(r"\bcli:[a-z_-]+")),
    ("unverified tag", re.compile(r"\[U\]")),
    ("verified tag", re.compile(r"\[V\]")),
    ("research source tag", re.compile(r"\(S\d+\)|\bS\d{1,2}\b(?=[,;)\]])")),
    ("research file section", re.compile(r"RULES-VN")),
]

ROLES = ("admin", "district_steering", "anhoa_official", "health_officer", "viewer")


def visible_text(page: str) -> str:
    """The text a reader sees: no scripts, styles, raw records or tags; one cell per line."""
    # <pre> holds the audit entry's recorded values (before/after) verbatim, as evidence
    page = re.sub(r"(?is)<(script|style|template|pre)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<!--.*?-->", " ", page)
    page = re.sub(r"(?i)<(td|th|li|p|dd|dt|h\d|option|div|tr|br)\b[^>]*>", "\n", page)
    page = re.sub(r"<[^>]+>", " ", page)
    return "\n".join(line.strip() for line in html.unescape(page).splitlines() if line.strip())


def leaks_in(text: str) -> dict[str, str]:
    """Each leak found (its name and the words found) with the first place it was seen."""
    found: dict[str, str] = {}
    for name, pattern in LEAKS:
        for match in pattern.finditer(text):
            start = max(0, match.start() - 50)
            context = text[start : match.end() + 30].replace("\n", " | ")
            found.setdefault(f"{name}: {match.group().strip()}", f"…{context}…")
    return found


def pages_without_arguments() -> list[str]:
    """Every GET page whose URL needs no argument (API, admin, i18n and exports aside)."""
    names: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace
                if ns in {"admin", "api"} or str(p.pattern).startswith(("i18n", "api")):
                    continue
                walk(p.url_patterns, f"{prefix}{ns}:" if ns else prefix)
            elif isinstance(p, URLPattern) and p.name and not p.pattern.regex.groups:
                names.append(prefix + p.name)

    walk(get_resolver().url_patterns, "")
    urls = []
    for name in names:
        url = reverse(name)
        if url.endswith((".csv", ".xlsx", ".geojson", ".json")) or "logout" in url:
            continue
        urls.append(url)
    return urls


class NoLeaksTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_levels(cls)
        with acting_through("cli:demo"):
            build_zones(cls)
        risk.publish(cls.green, cls.series, GREEN_DAY, cls.ninhkieu, actor=cls.district_steering)
        risk.publish(cls.r4800, cls.series, dt.date(2021, 10, 13), cls.ninhkieu, actor=cls.admin)
        risk.publish(cls.r4800, cls.series, OCTOBER_DAY, cls.ninhkieu, actor=cls.admin)
        assessment = Assessment.objects.get(area=cls.anhoa, ruleset=cls.green)
        risk.decide_level(
            assessment,
            actor=cls.district_steering,
            level_key="not_green",
            reason="Giữ Chỉ thị 16 đến 1/10",
        )
        lockdowns.sync_lift_rules()

    def pages(self) -> list[str]:
        zone = self.zone.pk
        entries = {(e.object_type, e.action, e.source): e for e in AuditEntry.objects.all()}
        urls = pages_without_arguments() + [
            reverse("surveillance:area", args=["31120"]),
            reverse("surveillance:area", args=["916"]),
            reverse("surveillance:area", args=["VN"]),
            reverse("surveillance:overview", args=["916"]),
            reverse("surveillance:official_series", args=["916"]),
            reverse("lockdowns:edit", args=[zone]),
            reverse("risk:area", args=["31120"]) + "?date=23/09/2021",
            reverse("risk:area", args=["916"]),
            reverse("risk:explain", args=["31120"]) + "?date=23/09/2021&rules=vn-green-zone-14d",
            reverse("risk:explain", args=["31117"]) + "?date=20/10/2021&rules=vn-4800-2021",
            reverse("risk:map") + "?area=916&date=23/09/2021",
            reverse("risk:map") + "?area=31120&date=23/09/2021",
            reverse("risk:map_table") + "?area=916&date=23/09/2021",
            reverse("areas:detail", args=["31120"]),
            reverse("lockdowns:index") + "?area=916&date=20/07/2021",
            reverse("lockdowns:detail", args=[zone]) + "?date=20/07/2021",
            reverse("audit:list") + "?page=2",
            reverse("risk:area", args=["31120"]) + "?no-such-page",
            "/no/such/page/",
        ]
        urls += [reverse("audit:detail", args=[e.pk]) for e in entries.values()]
        urls += [
            reverse("imports:detail", args=[pk])
            for pk in ImportBatch.objects.values_list("pk", flat=True)
        ]
        return urls

    def test_no_page_shows_english_or_internal_keys(self) -> None:
        self.assertTrue(AuditEntry.objects.filter(source="cli:demo").exists())
        found: dict[str, list[str]] = {}
        visited = 0
        for role in ROLES:
            self.client.force_login(getattr(self, role))
            for url in self.pages():
                response = self.client.get(url)
                if response.status_code in (301, 302):
                    continue
                if "html" not in response.get("Content-Type", ""):
                    continue
                visited += 1
                for leak, context in leaks_in(visible_text(response.content.decode())).items():
                    found.setdefault(leak, [context]).append(f"{role} {url}")
        self.assertGreater(visited, 60)
        report = "\n".join(
            f"{leak}\n    {where[0]}\n    on {', '.join(sorted(set(where[1:]))[:4])}"
            for leak, where in found.items()
        )
        self.assertFalse(found, f"{len(found)} leaks:\n{report}")

    def test_the_daily_lockdown_report_names_its_sources_for_people(self) -> None:
        self.client.force_login(self.district_steering)
        response = self.client.get(
            reverse("lockdowns:report"), {"area": "916", "date": "20/07/2021"}
        )
        self.assertEqual(response.status_code, 200)
        book = load_workbook(io.BytesIO(response.content))
        text = "\n".join(
            str(cell.value)
            for sheet in book
            for row in sheet.iter_rows()
            for cell in row
            if cell.value
        )
        self.assertIn("Báo cáo", text)
        self.assertEqual(leaks_in(text), {})

    def test_the_leak_patterns_find_what_users_saw(self) -> None:
        seen = visible_text(
            "<td>not_green</td><td>green</td><td>create</td><td>lockdowns.lockdownzone · x</td>"
            "<td>cli:demo</td><p>Complement of the rule above; same counting convention [U]</p>"
            "<p>Chỉ thị 16 continues</p><p>UBND (S35); RULES-VN §7.1</p>"
        )
        names = {leak.split(":")[0] for leak in leaks_in(seen)}
        self.assertEqual(
            names,
            {
                "level key",
                "level key in a cell",
                "audit action key",
                "object type key",
                "audit source key",
                "English rule note",
                "English word in a decision",
                "unverified tag",
                "research source tag",
                "research file section",
            },
        )
        self.assertEqual(leaks_in(visible_text("<td>Xanh</td><td>tạo mới</td>")), {})
