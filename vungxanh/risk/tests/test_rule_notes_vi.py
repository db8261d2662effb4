"""An area's explanation shows the rule's name and note in the reader's language.

The rule files are written in English for their maintainers, with the research file's tags
("[U]", "S35"); a Vietnamese page shows the ``name_vi``/``note_vi`` written beside them.
The world is the one of ``test_views`` (Ninh Kiều's wards, series "reported").
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from vungxanh.risk import services
from vungxanh.risk.tests import test_views


class RuleNotesInVietnameseTestCase(test_views.LevelsTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.anhoa_official)
        self.green_rules = services.ruleset_of(self.green)
        self.rules_4800 = services.ruleset_of(self.r4800)

    def explain(self, day: str, rules: str, code: str = "31120", english: bool = False):
        if english:
            self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        url = reverse("risk:explain", args=[code]) + f"?date={day}&rules={rules}"
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return response

    def rule(self, name: str):
        return next(r for r in self.green_rules.rules if r.name == name)

    def test_a_vietnamese_page_shows_the_vietnamese_name_and_note(self):
        # 16/9: An Hòa's last case was on 2/9, 14 days ago: not 14 full days, not green.
        rule = self.rule("a community case in the last 14 full days")
        response = self.explain("16/09/2021", "vn-green-zone-14d")
        self.assertEqual(response.context["found"].criterion.name, rule.name)
        self.assertContains(response, 'data-testid="explain-unverified"')
        self.assertContains(
            response, "Trường hợp còn lại của quy tắc trên; cùng cách đếm ngày (chưa kiểm chứng)"
        )
        self.assertContains(response, rule.name_vi)
        self.assertNotContains(response, "Complement of the rule above")
        self.assertNotContains(response, rule.name)
        self.assertNotContains(response, "[U]")

    def test_an_english_page_keeps_the_english_without_research_tags(self):
        rule = self.rule("a community case in the last 14 full days")
        response = self.explain("16/09/2021", "vn-green-zone-14d", english=True)
        self.assertContains(response, "Complement of the rule above; same counting convention")
        self.assertContains(response, rule.name)
        self.assertNotContains(response, rule.note_vi)
        self.assertNotContains(response, rule.name_vi)
        self.assertNotContains(response, "[U]")

    def test_a_matrix_cell_note_is_shown_in_vietnamese(self):
        # 15/10: 44.8 per 100,000 with TC2 met decides; the cell is not verified.
        response = self.explain("15/10/2021", "vn-4800-2021")
        found = response.context["found"]
        self.assertEqual(found.criterion.name, "matrix[2][2]")
        note_vi = self.rules_4800.matrix.notes_vi[1][1]
        self.assertTrue(note_vi.startswith("Chưa kiểm chứng"))
        self.assertEqual(found.criterion.note_vi, note_vi)
        self.assertContains(response, note_vi)
        self.assertNotContains(response, "possibly 2")

    def test_a_verified_cell_note_is_shown_in_vietnamese(self):
        response = self.explain("20/10/2021", "vn-4800-2021")
        self.assertEqual(response.context["found"].criterion.name, "matrix[2][4]")
        self.assertContains(response, "TP. Hồ Chí Minh ngày 15/10/2021: khoảng 150 → Cấp 3")
        self.assertNotContains(response, "HCMC 15/10/2021")

    def test_adjustments_are_named_in_vietnamese(self):
        self.client.force_login(self.district_steering)
        adjustment = self.rules_4800.adjustments[0]
        response = self.explain("20/10/2021", "vn-4800-2021", code="31117")
        self.assertEqual([a.name for a in response.context["found"].adjustments], [adjustment.name])
        self.assertContains(response, adjustment.name_vi)
        self.assertNotContains(response, adjustment.name)
        english = self.explain("20/10/2021", "vn-4800-2021", code="31117", english=True)
        self.assertContains(english, adjustment.name)
        self.assertNotContains(english, adjustment.name_vi)

    def test_a_user_of_another_area_is_not_shown_the_explanation(self):
        self.client.force_login(self.anhoa_official)
        url = reverse("risk:explain", args=["31189"]) + "?date=16/09/2021&rules=vn-green-zone-14d"
        response = self.client.get(url)
        self.assertIn(response.status_code, {403, 404})
        self.assertNotContains(response, "Trường hợp còn lại", status_code=response.status_code)
