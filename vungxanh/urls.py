from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from vungxanh.api import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="areas:browser", permanent=False), name="home"),
    path("accounts/", include("vungxanh.accounts.urls")),
    path("areas/", include("vungxanh.areas.urls")),
    path("audit/", include("vungxanh.audit.urls")),
    path("jobs/", include("vungxanh.jobs.urls")),
    path("imports/", include("vungxanh.imports.urls", namespace="imports")),
    path("surveillance/", include("vungxanh.surveillance.urls")),
    path("risk/", include("vungxanh.risk.urls")),
    path("public/", include("vungxanh.risk.urls_public")),
    path("lockdowns/", include("vungxanh.lockdowns.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
