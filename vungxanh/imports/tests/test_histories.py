"""The import pages serve every app's kinds and histories: surveillance and economy alike."""

from __future__ import annotations

import re

from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from vungxanh.accounts.roles import Role
from vungxanh.economy.models import Establishment, EstablishmentImport
from vungxanh.economy.tests.world import EconomyTestCase
from vungxanh.imports import jobs, registry
from vungxanh.imports.tests.isolation_histories import establishments
from vungxanh.jobs.inline import run_queued_here
from vungxanh.jobs.models import Job
from vungxanh.surveillance import services as surveillance
from vungxanh.surveillance.models import ImportBatch
from vungxanh.surveillance.tests.test_import_pages import TempMediaMixin, csv_upload

ANHOA_LIST = "/economy/establishments/?ward=31120"


def in_vietnamese(text: str, **values) -> str:
    """``text`` as the pages say it (Vietnamese, once the coordinator merged the msgid)."""
    with translation.override("vi"):
        return translation.gettext(text) % values


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


class HistoriesTestCase(TempMediaMixin, EconomyTestCase):
    def upload(self, data: bytes, kind: str = "establishments", name: str = "co-so.csv"):
        upload = csv_upload(data.decode(), name)
        return self.client.post(reverse("imports:new"), {"kind": kind, "file": upload})

    def confirm(self, preview, follow: bool = True):
        form = preview.context["confirm"]
        values = {name: form.initial[name] for name in form.fields}
        values["valid_only"] = "on" if values["valid_only"] else ""
        return self.client.post(reverse("imports:confirm"), values, follow=follow)

    def import_establishments(self, actor, n: int = 1, ward: str = "31120"):
        from vungxanh.economy import services

        data = establishments(n, ward)
        return services.import_file("establishments", data, f"co-so-{n}.csv", actor=actor).batch

    # -- registry ------------------------------------------------------------------------
    def test_each_kind_names_its_history(self):
        self.assertEqual(set(registry.histories()), {"surveillance", "economy"})
        self.assertEqual(registry.history_of("establishments").key, "economy")
        self.assertEqual(registry.history_of("daily").key, "surveillance")
        self.assertEqual(set(registry.importable_kinds(self.planning)), {"establishments"})
        self.assertNotIn("establishments", registry.importable_kinds(self.health_officer))

    # -- upload → preview → confirm ------------------------------------------------------
    def test_steering_and_planning_import_establishments_through_the_pages(self):
        for n, person in ((1, self.district_steering), (2, self.planning)):
            with self.subTest(person=person.username):
                self.client.force_login(person)
                page = self.client.get(reverse("imports:new"))
                self.assertEqual(page.status_code, 200)
                self.assertEqual([key for key, _label in page.context["kinds"]], ["establishments"])
                preview = self.upload(establishments(n, "31120"))
                self.assertEqual(preview.context["check"].new, 1)
                self.assertFalse(Establishment.objects.filter(name=f"Tạp hóa {n}").exists())

                done = self.confirm(preview)

                self.assertRedirects(done, reverse("imports:list"))
                batch = EstablishmentImport.objects.get(file_name="co-so.csv", actor=person)
                self.assertTrue(Establishment.objects.filter(name=f"Tạp hóa {n}").exists())
                [message] = messages_of(done)
                label = in_vietnamese("See the establishments of %(area)s", area="Phường An Hòa")
                self.assertIn(f'<a href="{ANHOA_LIST}">{label}</a>', message)
                detail = reverse("imports:batch", args=["economy", batch.pk])
                self.assertContains(done, f'href="{detail}"')

                page = self.client.get(detail)
                self.assertContains(page, f'href="{ANHOA_LIST}" data-testid="result"')
                self.assertContains(page, label)
                self.assertContains(page, f"Tạp hóa {n}")  # the rows it stored
                self.assertNotContains(page, 'data-testid="undo"')  # economy keeps no undo

    def test_the_planning_officer_sees_the_menu_entry(self):
        self.client.force_login(self.planning)
        self.assertContains(self.client.get(reverse("areas:browser")), 'href="/imports/"')

    def test_a_kind_the_user_may_not_import_is_refused_at_its_field(self):
        self.client.force_login(self.health_officer)  # imports epidemic data, not businesses
        page = self.client.get(reverse("imports:new"))
        self.assertNotIn("establishments", dict(page.context["kinds"]))
        self.assertNotContains(page, reverse("imports:template_xlsx", args=["establishments"]))
        refused = self.upload(establishments(1, "31120"))
        self.assertEqual(refused.status_code, 200)
        label = registry.kind("establishments").label
        expected = in_vietnamese("Your role does not allow importing “%(kind)s”.", kind=label)
        self.assertEqual(refused.context["form"].errors["kind"], [expected])
        self.assertFalse(Establishment.objects.exists())

        self.client.force_login(self.planning)  # and the other way round, on confirm too
        preview = self.upload(establishments(1, "31120"))
        values = {
            name: preview.context["confirm"].initial[name] for name in ("sha256", "file_name")
        }
        done = self.client.post(
            reverse("imports:confirm"), {**values, "kind": "daily", "rows": 1}, follow=True
        )
        self.assertRedirects(done, reverse("imports:new"))
        label = registry.kind("daily").label
        expected = in_vietnamese("Your role does not allow importing “%(kind)s”.", kind=label)
        self.assertEqual(messages_of(done), [expected])
        self.assertFalse(ImportBatch.objects.exists())
        self.assertFalse(Establishment.objects.exists())

    def test_who_may_import_no_kind_gets_the_page_naming_the_roles(self):
        self.client.force_login(self.viewer)
        for response in (
            self.client.get(reverse("imports:new")),
            self.client.post(reverse("imports:confirm"), {}),
        ):
            self.assertEqual(response.status_code, 403)
            text = response.content.decode()
            with translation.override("vi"):
                for role in (Role.HEALTH_OFFICER, Role.STEERING, Role.DEPT_PLANNING):
                    self.assertIn(str(role.label), text)
        self.assertNotContains(self.client.get(reverse("areas:browser")), 'href="/imports/"')

        self.client.force_login(self.business)  # may neither import nor read any history
        self.assertEqual(self.client.get(reverse("imports:list")).status_code, 403)

    # -- the merged history ---------------------------------------------------------------
    def test_the_list_merges_every_history_newest_first_by_pages(self):
        daily = "Địa bàn,Ngày,Ca cộng đồng\n31120,22/09/2021,{}\n"
        first = surveillance.import_file(
            "daily", daily.format(1).encode(), "a.csv", actor=self.health_officer
        ).batch
        second = self.import_establishments(self.district_steering, 1)
        third = surveillance.import_file(
            "daily", daily.format(2).encode(), "c.csv", actor=self.health_officer
        ).batch
        fourth = self.import_establishments(self.district_steering, 2)
        self.client.force_login(self.admin)
        with override_settings(VX_PAGE_SIZE=3):
            page_one = self.client.get(reverse("imports:list"))
            page_two = self.client.get(reverse("imports:list"), {"page": 2})
        shown = [(r.history, r.batch.pk) for r in page_one.context["rows"]]
        self.assertEqual(
            shown, [("economy", fourth.pk), ("surveillance", third.pk), ("economy", second.pk)]
        )
        self.assertEqual(
            [(r.history, r.batch.pk) for r in page_two.context["rows"]],
            [("surveillance", first.pk)],
        )
        self.assertContains(page_one, reverse("imports:batch", args=["economy", fourth.pk]))
        # Surveillance imports may be undone, establishments' not.
        self.assertContains(
            page_one, reverse("imports:batch_undo", args=["surveillance", third.pk])
        )
        self.assertNotContains(page_one, reverse("imports:batch_undo", args=["economy", fourth.pk]))

    def test_a_viewer_reads_both_histories(self):
        daily = "Địa bàn,Ngày,Ca cộng đồng\n31120,22/09/2021,3\n"
        surveillance.import_file("daily", daily.encode(), "daily.csv", actor=self.health_officer)
        self.import_establishments(self.district_steering)
        self.client.force_login(self.viewer)
        listed = self.client.get(reverse("imports:list"))
        self.assertEqual({r.history for r in listed.context["rows"]}, {"surveillance", "economy"})
        self.client.force_login(self.business)  # reads neither history: refused
        self.assertEqual(self.client.get(reverse("imports:list")).status_code, 403)

    def test_a_ward_official_cannot_see_another_wards_establishment_import(self):
        foreign = self.import_establishments(self.caikhe_official, 1, ward="31117")
        own = self.import_establishments(self.anhoa_official, 2, ward="31120")
        self.client.force_login(self.anhoa_official)
        listed = self.client.get(reverse("imports:list"))
        self.assertEqual([r.batch.pk for r in listed.context["rows"]], [own.pk])
        self.assertNotContains(listed, "Cái Khế")
        for name, args, method in (
            ("imports:batch", ["economy", foreign.pk], "get"),
            ("imports:batch_undo", ["economy", foreign.pk], "post"),
            ("api:import_batch", ["economy", foreign.pk], "get"),
            ("api:import_batch_undo", ["economy", foreign.pk], "post"),
        ):
            with self.subTest(name=name):
                response = getattr(self.client, method)(reverse(name, args=args))
                self.assertEqual(response.status_code, 404)
                self.assertNotIn("co-so-1.csv", response.content.decode())
        self.assertEqual(
            self.client.get(reverse("imports:batch", args=["economy", own.pk])).status_code, 200
        )
        self.assertEqual(
            self.client.get(reverse("imports:batch", args=["nothing", own.pk])).status_code, 404
        )
        # An id is its history's: the same number in the other history is another batch.
        self.assertEqual(
            self.client.get(reverse("imports:batch", args=["surveillance", own.pk])).status_code,
            404,
        )

    def test_the_detail_of_a_correction_shows_the_establishments_it_changed(self):
        from vungxanh.economy import services

        self.import_establishments(self.district_steering, 7)
        renamed = establishments(7, "31120").replace("Tạp hóa 7".encode(), "Tạp hóa Bảy".encode())
        batch = services.import_file(
            "establishments", renamed, "sua.csv", actor=self.district_steering
        ).batch
        self.client.force_login(self.district_steering)
        page = self.client.get(reverse("imports:batch", args=["economy", batch.pk]))
        self.assertEqual(page.context["sample"]["count"], 1)
        self.assertEqual(page.context["sample"]["rows"][0][1], "Tạp hóa Bảy")

    def test_undoing_an_establishments_import_says_why_it_cannot(self):
        batch = self.import_establishments(self.district_steering)
        self.client.force_login(self.district_steering)
        done = self.client.post(
            reverse("imports:batch_undo", args=["economy", batch.pk]), follow=True
        )
        self.assertRedirects(done, reverse("imports:list"))
        expected = in_vietnamese(
            "An import of establishments cannot be undone: correct each establishment instead."
        )
        self.assertEqual(messages_of(done), [expected])
        self.assertTrue(EstablishmentImport.objects.filter(pk=batch.pk).exists())

    # -- API -------------------------------------------------------------------------------
    def test_the_api_lists_and_reads_every_history(self):
        batch = self.import_establishments(self.district_steering)
        self.client.force_login(self.district_steering)
        items = self.client.get(reverse("api:import_list")).json()["items"]
        self.assertEqual(
            [(i["history"], i["id"], i["kind"], i["area_code"]) for i in items],
            [("economy", batch.pk, "establishments", "31120")],
        )
        self.assertIsNone(items[0]["rows_rejected"])
        one = self.client.get(reverse("api:import_batch", args=["economy", batch.pk])).json()
        self.assertEqual((one["rows_created"], one["series"]), (1, None))
        undo = self.client.post(reverse("api:import_batch_undo", args=["economy", batch.pk]))
        self.assertEqual(undo.status_code, 403)

    def test_the_api_imports_a_kind_by_its_own_right(self):
        self.client.force_login(self.planning)
        upload = csv_upload(establishments(5, "31120").decode(), "co-so.csv")
        response = self.client.post(
            reverse("api:import_create", args=["establishments"]), {"file": upload}
        )
        self.assertEqual(response.status_code, 200, response.content[:300])
        self.assertEqual(EstablishmentImport.objects.get().pk, response.json()["batch_id"])
        refused = self.client.post(
            reverse("api:import_create", args=["daily"]),
            {"file": csv_upload("Địa bàn,Ngày,Ca cộng đồng\n31120,22/09/2021,1\n")},
        )
        self.assertEqual(refused.status_code, 403)

    # -- background jobs ---------------------------------------------------------------------
    def test_a_large_establishments_file_is_checked_and_imported_in_jobs(self):
        data = establishments(3, "31120")
        self.client.force_login(self.planning)
        with override_settings(VX_IMPORT_INLINE_BYTES=10):
            checked = self.upload(data)
            check = Job.objects.get(task=jobs.CHECK_TASK)
            self.assertRedirects(checked, reverse("imports:job", args=[check.pk]))
            run_queued_here()  # a worker checks it
            preview = self.client.get(reverse("imports:job", args=[check.pk]))
            self.assertEqual(preview.context["check"].new, 1)
            started = self.confirm(preview, follow=False)
        job = Job.objects.get(task=jobs.IMPORT_TASK)
        self.assertRedirects(started, reverse("imports:job", args=[job.pk]), target_status_code=200)
        self.assertFalse(EstablishmentImport.objects.exists())

        run_queued_here()  # a worker imports it

        batch = EstablishmentImport.objects.get()
        job.refresh_from_db()
        self.assertEqual((job.status, job.outcome["batch_id"]), (Job.Status.DONE, batch.pk))
        poll = self.client.get(reverse("imports:job_progress", args=[job.pk]))
        self.assertEqual(poll["HX-Redirect"], reverse("imports:list"))
        listed = self.client.get(reverse("imports:list"))
        [message] = messages_of(listed)
        self.assertIn(f'href="{ANHOA_LIST}"', message)
        self.assertNotIn("/surveillance/", message)
        self.assertRegex(
            message,
            re.escape(in_vietnamese("See the establishments of %(area)s", area="Phường An Hòa")),
        )

    def test_a_surveillance_batch_with_an_economy_id_is_not_taken_for_it(self):
        """The job's result is looked up in its kind's history, not in surveillance's."""
        daily = "Địa bàn,Ngày,Ca cộng đồng\n31117,22/09/2021,{}\n"
        # Surveillance batches of Cái Khế, ids 1..3: the economy batch's id exists there too.
        for n in range(3):
            surveillance.import_file(
                "daily", daily.format(n + 1).encode(), f"{n}.csv", actor=self.health_officer
            )
        self.client.force_login(self.district_steering)  # reads both histories
        preview = self.upload(establishments(4, "31120"))
        with override_settings(VX_IMPORT_INLINE_BYTES=10):
            self.confirm(preview, follow=False)
        run_queued_here()
        job = Job.objects.get(task=jobs.IMPORT_TASK)
        page = self.client.get(reverse("imports:job", args=[job.pk]), follow=True)
        [message] = messages_of(page)
        self.assertIn(f'href="{ANHOA_LIST}"', message)
