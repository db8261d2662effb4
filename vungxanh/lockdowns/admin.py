from django.contrib import admin

from vungxanh.lib.admin import ReadOnlyAdmin
from vungxanh.lockdowns.models import LiftRuleRecord, LockdownZone, TestingRound, ZoneTransition


@admin.register(LockdownZone)
class LockdownZoneAdmin(ReadOnlyAdmin):
    """Browse zones; changes go through the pages and services so they are audited."""

    list_display = ["code", "name", "area", "scope_type", "status", "start_date", "lifted_on"]
    list_filter = ["status", "scope_type", "simulated"]
    search_fields = ["code", "name"]

    def get_queryset(self, request):
        return LockdownZone.objects.for_user(request.user, "view")


@admin.register(ZoneTransition)
class ZoneTransitionAdmin(ReadOnlyAdmin):
    list_display = ["zone", "from_status", "to_status", "decision_number", "effective_on"]

    def get_queryset(self, request):
        return ZoneTransition.objects.for_user(request.user, "view")


@admin.register(TestingRound)
class TestingRoundAdmin(ReadOnlyAdmin):
    list_display = ["zone", "number", "day", "status", "samples", "positives"]

    def get_queryset(self, request):
        return TestingRound.objects.for_user(request.user, "view")


@admin.register(LiftRuleRecord)
class LiftRuleRecordAdmin(ReadOnlyAdmin):
    list_display = ["code", "version", "checksum", "current", "loaded_at"]
