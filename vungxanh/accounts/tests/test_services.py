from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from vungxanh import settings as production_settings
from vungxanh.accounts import services
from vungxanh.accounts.models import ApiToken, Membership
from vungxanh.accounts.roles import Role
from vungxanh.audit.models import AuditEntry
from vungxanh.testing import BaseTestCase


class UserAndMembershipTestCase(BaseTestCase):
    @override_settings(PASSWORD_HASHERS=production_settings.PASSWORD_HASHERS)
    def test_creating_a_user_is_audited_without_the_password(self):
        user = services.create_user(
            actor=self.admin, username="newbie", password="s3cret-pass!", full_name="Cán bộ mới"
        )
        self.assertTrue(user.check_password("s3cret-pass!"))
        self.assertTrue(user.password.startswith("argon2"))
        entry = AuditEntry.objects.get(object_type="accounts.user")
        self.assertEqual((entry.action, entry.actor), ("create", self.admin))
        self.assertNotIn("password", entry.after)
        self.assertEqual(entry.after["full_name"], "Cán bộ mới")

    def test_a_taken_username_is_refused(self):
        with self.assertRaises(ValidationError):
            services.create_user(actor=self.admin, username="viewer", password="x")

    def test_only_a_superuser_creates_a_superuser(self):
        with self.assertRaises(PermissionDenied):
            services.create_user(
                actor=self.admin, username="root2", password="x", is_superuser=True
            )

    def test_granting_is_audited_once_even_if_repeated(self):
        user = services.create_user(actor=self.admin, username="u1", password="pw-123456789")
        services.grant_membership(user, self.anhoa, Role.VIEWER, actor=self.admin)
        services.grant_membership(user, self.anhoa, Role.VIEWER, actor=self.admin)
        self.assertEqual(Membership.objects.filter(user=user).count(), 1)
        self.assertEqual(AuditEntry.objects.filter(object_type="accounts.membership").count(), 1)

    def test_only_an_administrator_of_the_area_grants(self):
        with self.assertRaises(PermissionDenied):
            services.grant_membership(
                self.outsider, self.anhoa, Role.VIEWER, actor=self.district_steering
            )

    def test_revoking_a_membership_is_audited(self):
        membership = Membership.objects.get(user=self.viewer)
        services.revoke_membership(membership, actor=self.admin, reason="chuyển công tác")
        self.assertFalse(Membership.objects.filter(user=self.viewer).exists())
        entry = AuditEntry.objects.get(action="delete")
        self.assertEqual((entry.reason, entry.before["role"]), ("chuyển công tác", "viewer"))


class ApiTokenTestCase(BaseTestCase):
    def test_a_token_is_stored_hashed_and_found_by_its_secret(self):
        token, raw = services.create_api_token(self.viewer, actor=self.viewer, name="excel")
        self.assertTrue(raw.startswith("vx_"))
        self.assertNotIn(raw, token.key_hash)
        self.assertEqual(services.user_for_token(raw), self.viewer)
        self.assertIsNone(services.user_for_token(raw + "x"))
        entry = AuditEntry.objects.get(object_type="accounts.apitoken")
        self.assertNotIn("key_hash", entry.after)

    def test_a_revoked_token_no_longer_works(self):
        token, raw = services.create_api_token(self.viewer, actor=self.viewer, name="excel")
        services.revoke_api_token(token, actor=self.viewer)
        self.assertIsNone(services.user_for_token(raw))
        self.assertEqual(AuditEntry.objects.filter(object_type="accounts.apitoken").count(), 2)

    def test_tokens_are_personal(self):
        with self.assertRaises(PermissionDenied):
            services.create_api_token(self.viewer, actor=self.admin, name="x")
        token, _raw = services.create_api_token(self.viewer, actor=self.viewer, name="x")
        with self.assertRaises(PermissionDenied):
            services.revoke_api_token(token, actor=self.admin)
        self.assertIsNone(ApiToken.objects.get(pk=token.pk).revoked_at)

    def test_a_token_of_an_inactive_user_does_not_work(self):
        _token, raw = services.create_api_token(self.viewer, actor=self.viewer, name="x")
        self.viewer.is_active = False
        self.viewer.save()
        self.assertIsNone(services.user_for_token(raw))
