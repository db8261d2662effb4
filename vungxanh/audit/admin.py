from django.contrib import admin

from vungxanh.audit.models import AuditEntry
from vungxanh.lib.admin import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: the trail is append-only, so the admin can neither add, change nor delete."""

    list_display = ["time", "actor_name", "source", "action", "object_type", "object_repr"]
    list_filter = ["action", "source", "object_type"]
    search_fields = ["actor_name", "object_repr", "request_id", "reason", "legal_basis"]
    date_hierarchy = "time"

    def get_queryset(self, request):
        return AuditEntry.objects.for_user(request.user, "view")
