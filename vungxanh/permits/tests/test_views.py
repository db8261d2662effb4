"""The permit pages: a business's own list and forms, the department's queue and decisions."""

from __future__ import annotations

import datetime as dt
import io

import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from docx import Document
from docx.shared import Pt

from vungxanh.permits.models import PermitApplication, SafetyPlan, State
from vungxanh.permits.services import transition
from vungxanh.permits.tests.world import PermitTestCase, apply, plan


def text_of(response) -> str:
    return response.content.decode()


class BusinessPagesTestCase(PermitTestCase):
    def test_a_business_lists_only_its_own_applications(self):
        apply(self.business, self.grocery)
        apply(self.other_business, self.clinic)
        self.client.force_login(self.business)
        page = text_of(self.client.get(reverse("permits:list")))
        self.assertIn("Tạp hóa &lt;An Hòa&gt;", page)  # escaped as typed
        self.assertNotIn("Phòng khám An Hòa", page)

    def test_a_business_saves_a_plan_and_applies_with_it(self):
        self.client.force_login(self.business)
        form = self.client.get(reverse("permits:plan_create"))
        self.assertContains(form, 'name="answer_score"')
        # A component scheme asks for its ten components instead.
        hcmc = self.client.get(reverse("permits:plan_create") + "?scheme=hcmc-2021-index")
        self.assertContains(hcmc, 'name="answer_night_shifts"')
        self.assertNotContains(form, "Phòng khám")  # not its establishment
        response = self.client.post(
            reverse("permits:plan_create"),
            {
                "establishment": self.grocery.pk,
                "production_model": "one_route",
                "workers_on_site": "8",
                "test_every_days": "5",
                "responsible_person": "Trần Thị B",
                "answer_score": "12",
                "answer_maximum": "60",
            },
        )
        saved = SafetyPlan.objects.get()
        self.assertRedirects(response, reverse("permits:plan", args=[saved.pk]))
        self.assertEqual((saved.percent, saved.band), (20, "low"))
        response = self.client.post(
            reverse("permits:application_create"),
            {
                "plan": saved.pk,
                "kind": "reopen",
                "first_day": "01/10/2021",
                "description": "Mở lại",
            },
        )
        application = PermitApplication.objects.get()
        self.assertRedirects(response, reverse("permits:application", args=[application.pk]))
        self.assertEqual(application.first_day, dt.date(2021, 10, 1))

    def test_an_application_form_error_is_named_at_its_field(self):
        saved = plan(self.business, self.grocery)
        self.client.force_login(self.business)
        response = self.client.post(
            reverse("permits:application_create"),
            {
                "plan": saved.pk,
                "kind": "construction_site",
                "first_day": "31/09/2021",
                "description": "x",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(set(response.context["form"].errors), {"first_day"})
        response = self.client.post(
            reverse("permits:application_create"),
            {
                "plan": saved.pk,
                "kind": "construction_site",
                "first_day": "30/09/2021",
                "description": "x",
            },
        )
        self.assertEqual(set(response.context["form"].errors), {"kind"})
        self.assertFalse(PermitApplication.objects.exists())

    def test_the_applicant_reads_the_state_and_the_reason(self):
        a = apply(self.business, self.grocery)
        a = transition(self.trade, a, State.UNDER_REVIEW, version=1)
        transition(self.trade, a, State.CHANGES_REQUESTED, version=2, reason="Bổ sung <danh sách>")
        self.client.force_login(self.business)
        page = self.client.get(reverse("permits:application", args=[a.pk]))
        self.assertContains(page, 'data-state="changes_requested"')
        self.assertContains(page, "Bổ sung &lt;danh sách&gt;")
        self.assertContains(page, 'data-testid="decide-resubmit"')
        self.assertNotContains(page, 'data-testid="decide-approve"')

    def test_the_business_records_test_rounds_on_its_plan_and_the_ward_reads_them(self):
        saved = plan(self.business, self.grocery)
        url = reverse("permits:plan", args=[saved.pk])
        self.client.force_login(self.business)
        response = self.client.post(
            url, {"day": "02/10/2021", "people_tested": "12", "positives": "13"}
        )
        self.assertEqual(set(response.context["form"].errors), {"positives"})
        response = self.client.post(
            url, {"day": "02/10/2021", "people_tested": "12", "positives": "1"}
        )
        self.assertRedirects(response, url)
        self.assertEqual(saved.tests.get().positives, 1)
        self.client.force_login(self.anhoa_official)
        page = self.client.get(url)
        self.assertContains(page, 'data-testid="test-row"', count=1)
        self.assertNotContains(page, 'data-testid="test-form"')
        response = self.client.post(
            url, {"day": "03/10/2021", "people_tested": "5", "positives": "0"}
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(saved.tests.count(), 1)

    def test_a_business_cannot_decide(self):
        a = apply(self.business, self.grocery)
        self.client.force_login(self.business)
        response = self.client.post(
            reverse("permits:application", args=[a.pk]), {"decision": "review", "version": 1}
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(PermitApplication.objects.get().state, "submitted")


class MenuTestCase(PermitTestCase):
    def test_the_menu_leads_to_the_permits_of_those_who_may_read_them(self):
        for user, shown in ((self.business, True), (self.trade, True), (self.outsider, False)):
            self.client.force_login(user)
            page = self.client.get(reverse("areas:browser"))
            with self.subTest(user=user.username):
                self.assertEqual(reverse("permits:list") in page.content.decode(), shown)
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(reverse("permits:list")).status_code, 403)


class DepartmentPagesTestCase(PermitTestCase):
    def test_the_queue_puts_essential_goods_first_and_flags_deadlines(self):
        with time_machine.travel(dt.datetime(2021, 10, 1, 1, tzinfo=dt.UTC), tick=False):
            first = apply(self.business, self.grocery, kind="beyond_default")
            self.grocery.essential_goods = False
            self.grocery.save()
            later = apply(self.business, self.grocery)
            self.grocery.essential_goods = True
            self.grocery.save()
        self.client.force_login(self.trade)
        with time_machine.travel(dt.datetime(2021, 10, 5, 1, tzinfo=dt.UTC), tick=False):
            response = self.client.get(reverse("permits:list"))
            rows = [a for a, _flag in response.context["rows"]]
            self.assertEqual(rows, [first, later])
            self.assertContains(response, 'data-testid="overdue"', count=2)
            overdue = self.client.get(reverse("permits:list") + "?flag=overdue")
            self.assertEqual(len(overdue.context["rows"]), 2)
            soon = self.client.get(reverse("permits:list") + "?flag=due_soon")
            self.assertEqual(len(soon.context["rows"]), 0)

    @override_settings(VX_PAGE_SIZE=1)
    def test_the_queue_is_paginated_and_filtered(self):
        apply(self.business, self.grocery)
        apply(self.business, self.grocery, kind="beyond_default")
        self.client.force_login(self.trade)
        with translation.override("en"):
            response = self.client.get(reverse("permits:list"), headers={"accept-language": "en"})
        self.assertEqual(response.context["page"].paginator.num_pages, 2)
        only = self.client.get(reverse("permits:list") + "?kind=beyond_default")
        self.assertEqual(only.context["page"].paginator.count, 1)
        bad = self.client.get(reverse("permits:list") + "?state=maybe&kind=zzz&ward=99999")
        self.assertEqual(len(bad.context["errors"]), 3)
        self.assertEqual(bad.context["page"].paginator.count, 2)

    def test_the_officer_approves_and_a_second_officer_is_told(self):
        a = apply(self.business, self.grocery)
        url = reverse("permits:application", args=[a.pk])
        self.client.force_login(self.trade)
        self.assertRedirects(self.client.post(url, {"decision": "review", "version": 1}), url)
        self.assertRedirects(
            self.client.post(
                url, {"decision": "approve", "version": 2, "reason": "Tối đa 8 người"}
            ),
            url,
        )
        # Another officer of the department had the page open at version 2.
        self.client.force_login(self.trade_ninhkieu)
        response = self.client.post(
            url, {"decision": "reject", "version": 2, "reason": "Không"}, follow=True
        )
        errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
        self.assertEqual(len(errors), 1)
        self.assertIn("dept_trade", errors[0])
        stored = PermitApplication.objects.get()
        self.assertEqual((stored.state, stored.reason), ("approved", "Tối đa 8 người"))

    def test_a_refused_move_is_shown_on_the_form(self):
        a = apply(self.business, self.grocery)
        self.client.force_login(self.trade)
        response = self.client.post(
            reverse("permits:application", args=[a.pk]), {"decision": "approve", "version": 1}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'data-testid="decision-error"')
        self.assertEqual(PermitApplication.objects.get().state, "submitted")

    def test_another_area_or_sector_is_a_404(self):
        foreign = apply(self.caikhe_business, self.caikhe_shop)
        own = apply(self.business, self.grocery)
        self.client.force_login(self.anhoa_official)
        for name, pk in (
            ("permits:application", foreign.pk),
            ("permits:plan", foreign.plan_id),
            ("permits:plan_docx", foreign.plan_id),
        ):
            with self.subTest(name=name):
                self.assertEqual(self.client.get(reverse(name, args=[pk])).status_code, 404)
        self.client.force_login(self.construction)
        self.assertEqual(
            self.client.get(reverse("permits:application", args=[own.pk])).status_code, 404
        )
        self.client.force_login(self.trade_cairang)
        response = self.client.post(
            reverse("permits:application", args=[own.pk]), {"decision": "review", "version": 1}
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(PermitApplication.objects.get(pk=own.pk).state, "submitted")


class DocxTestCase(PermitTestCase):
    def permit(self):
        a = apply(self.business, self.grocery, description="Mở <lại>\x01 cửa hàng")
        with time_machine.travel(dt.datetime(2021, 10, 5, 3, tzinfo=dt.UTC), tick=False):
            a = transition(self.trade, a, State.UNDER_REVIEW, version=1)
            return transition(self.trade, a, State.APPROVED, version=2, reason="Tối đa <10> người")

    def test_only_an_approved_application_has_a_permit(self):
        a = apply(self.business, self.grocery)
        self.client.force_login(self.business)
        self.assertEqual(
            self.client.get(reverse("permits:permit_docx", args=[a.pk])).status_code, 403
        )

    def test_the_permit_has_the_parts_of_the_decree_layout(self):
        a = self.permit()
        self.client.force_login(self.business)
        response = self.client.get(reverse("permits:permit_docx", args=[a.pk]))
        self.assertEqual(response.status_code, 200)
        document = Document(io.BytesIO(response.content))
        section = document.sections[0]
        mm = [
            round(length.mm)
            for length in (
                section.page_width,
                section.page_height,
                section.top_margin,
                section.bottom_margin,
                section.left_margin,
                section.right_margin,
            )
        ]
        self.assertEqual(mm, [210, 297, 20, 20, 30, 15])  # A4; Phụ lục I margins
        header, footer = document.tables
        left, right = (cell.paragraphs for cell in header.rows[0].cells)
        texts = [p.text for p in left]
        self.assertEqual(texts[0], "UBND THÀNH PHỐ CẦN THƠ")
        self.assertEqual(texts[1], "SỞ CÔNG THƯƠNG")
        self.assertTrue(left[1].runs[0].bold)
        self.assertEqual(texts[-1], "Số: 01/TB-SCT")
        right_texts = [p.text for p in right]
        self.assertEqual(right_texts[0], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        self.assertEqual(right_texts[1], "Độc lập - Tự do - Hạnh phúc")
        self.assertTrue(right[0].runs[0].bold and right[1].runs[0].bold)
        self.assertEqual(right_texts[-1], "Cần Thơ, ngày 05 tháng 10 năm 2021")
        self.assertTrue(right[-1].runs[0].italic)
        body = [p.text for p in document.paragraphs if p.text]
        self.assertEqual(body[0], "THÔNG BÁO")
        self.assertTrue(body[1].startswith("Chấp thuận cho Tạp hóa <An Hòa>"))
        self.assertTrue(body[-1].endswith("./."))
        self.assertIn("Điều kiện kèm theo: Tối đa <10> người", "\n".join(body))
        names, signature = (cell.paragraphs for cell in footer.rows[0].cells)
        self.assertEqual(names[0].text, "Nơi nhận:")
        self.assertTrue(names[0].runs[0].bold and names[0].runs[0].italic)
        self.assertEqual(names[0].runs[0].font.size, Pt(12))
        self.assertEqual(names[1].text, "- Tạp hóa <An Hòa>;")
        self.assertEqual(names[-1].text, "- Lưu: VT, SCT.")
        self.assertEqual(
            [p.text for p in signature if p.text], ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "dept_trade"]
        )
        self.assertEqual(body[0:1], ["THÔNG BÁO"])
        fonts = {r.font.name for p in document.paragraphs for r in p.runs}
        self.assertEqual(fonts, {"Times New Roman"})

    def test_the_plan_prints_as_a_document(self):
        saved = plan(self.business, self.grocery)
        self.client.force_login(self.business)
        response = self.client.get(reverse("permits:plan_docx", args=[saved.pk]))
        document = Document(io.BytesIO(response.content))
        body = [p.text for p in document.paragraphs if p.text]
        self.assertEqual(body[0], "PHƯƠNG ÁN")
        self.assertIn("Xét nghiệm sàng lọc định kỳ 7 ngày một lần", "\n".join(body))
        header = [p.text for p in document.tables[0].rows[0].cells[0].paragraphs]
        self.assertEqual(header[0], "TẠP HÓA <AN HÒA>")
