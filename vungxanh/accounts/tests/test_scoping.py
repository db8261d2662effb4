from vungxanh.accounts.models import Membership
from vungxanh.accounts.roles import Role
from vungxanh.accounts.scoping import allowed_paths, can
from vungxanh.areas.models import Area
from vungxanh.testing import BaseTestCase


def codes(queryset):
    return set(queryset.values_list("code", flat=True))


class ForUserTestCase(BaseTestCase):
    def test_a_ward_official_sees_only_the_ward(self):
        self.assertEqual(codes(Area.objects.for_user(self.anhoa_official, "view")), {"31120"})

    def test_a_district_member_sees_the_whole_subtree(self):
        self.assertEqual(
            codes(Area.objects.for_user(self.district_steering, "view")), {"916", "31120", "31117"}
        )

    def test_the_nation_administrator_sees_everything(self):
        self.assertEqual(Area.objects.for_user(self.admin, "view").count(), Area.objects.count())

    def test_someone_without_a_membership_sees_nothing(self):
        self.assertEqual(codes(Area.objects.for_user(self.outsider, "view")), set())

    def test_anonymous_and_inactive_users_see_nothing(self):
        from django.contrib.auth.models import AnonymousUser

        self.assertFalse(Area.objects.for_user(AnonymousUser(), "view").exists())
        self.anhoa_official.is_active = False
        self.assertFalse(Area.objects.for_user(self.anhoa_official, "view").exists())

    def test_a_viewer_may_read_but_not_change(self):
        self.assertEqual(len(codes(Area.objects.for_user(self.viewer, "view"))), 3)
        self.assertFalse(Area.objects.for_user(self.viewer, "change").exists())
        self.assertFalse(can(self.viewer, "areas.area", "change", self.anhoa))

    def test_roles_add_up_across_memberships(self):
        Membership.objects.create(
            user=self.anhoa_official, area=self.hungphu, role=Role.WARD_OFFICIAL
        )
        fresh = type(self.anhoa_official).objects.get(pk=self.anhoa_official.pk)
        self.assertEqual(codes(Area.objects.for_user(fresh, "change")), {"31120", "31189"})

    def test_nested_paths_collapse_to_the_widest(self):
        Membership.objects.create(user=self.district_steering, area=self.anhoa, role=Role.STEERING)
        fresh = type(self.district_steering).objects.get(pk=self.district_steering.pk)
        self.assertEqual(allowed_paths(fresh, "areas.area", "view"), ["VN/92/916/"])

    def test_an_unknown_model_or_action_is_denied(self):
        self.assertEqual(allowed_paths(self.district_steering, "nothing.here", "view"), [])
        self.assertEqual(allowed_paths(self.district_steering, "areas.area", "fly"), [])

    def test_can_without_an_area_asks_whether_anywhere(self):
        self.assertTrue(can(self.city_steering, "audit.auditentry", "view"))
        self.assertFalse(can(self.anhoa_official, "audit.auditentry", "view"))
