from django.contrib import admin

from vungxanh.areas.models import Area, AreaSuccession
from vungxanh.lib.admin import ReadOnlyAdmin


@admin.register(Area)
class AreaAdmin(ReadOnlyAdmin):
    """Browse units; changes go through the pages and services so they are audited."""

    list_display = ["code", "name", "kind", "unit_type", "population", "valid_from", "valid_to"]
    list_filter = ["kind", "unit_type"]
    search_fields = ["code", "name", "folded_name"]
    readonly_fields = [f.name for f in Area._meta.fields]

    def get_queryset(self, request):
        return Area.objects.for_user(request.user, "view")


@admin.register(AreaSuccession)
class AreaSuccessionAdmin(ReadOnlyAdmin):
    list_display = ["predecessor", "successor", "effective_on", "legal_basis"]
