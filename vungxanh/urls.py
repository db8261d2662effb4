from django.contrib import admin
from django.urls import include, path

from vungxanh.api import api
from vungxanh.areas.views import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("vungxanh.accounts.urls")),
    path("areas/", include("vungxanh.areas.urls")),
    path("audit/", include("vungxanh.audit.urls")),
    path("jobs/", include("vungxanh.jobs.urls")),
    path("imports/", include("vungxanh.imports.urls", namespace="imports")),
    path("surveillance/", include("vungxanh.surveillance.urls")),
    path("risk/", include("vungxanh.risk.urls")),
    path("public/", include("vungxanh.risk.urls_public")),
    path("lockdowns/", include("vungxanh.lockdowns.urls")),
    path("economy/", include("vungxanh.economy.urls")),
    path("reopening/", include("vungxanh.reopening.urls")),
    path("public/", include("vungxanh.reopening.urls_public")),
    path("permits/", include("vungxanh.permits.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

# Error pages in the site's frame (templates/400.html, 403.html, 404.html, 500.html).
handler403 = "vungxanh.lib.errors.permission_denied"
handler404 = "vungxanh.lib.errors.page_not_found"
