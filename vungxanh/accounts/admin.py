from django.contrib import admin

from vungxanh.accounts.models import ApiToken, Membership, User
from vungxanh.lib.admin import ReadOnlyAdmin


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    """Users are created with `vungxanh` commands or services so every change is audited."""

    list_display = ["username", "full_name", "is_active", "is_superuser", "last_login"]
    search_fields = ["username", "full_name"]
    exclude = ["password"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "role", "area", "created_at"]
    list_filter = ["role"]

    def get_queryset(self, request):
        return Membership.objects.for_user(request.user, "view")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    exclude = ["key_hash"]
