from django.urls import path

from vungxanh.surveillance import views

app_name = "surveillance"
urlpatterns = [
    path("", views.index, name="index"),
    path("areas/<str:code>/", views.area_page, name="area"),
    path("areas/<str:code>/export.<str:fmt>", views.area_export, name="area_export"),
    path("areas/<str:code>/overview/", views.overview, name="overview"),
    path(
        "areas/<str:code>/overview/export.<str:fmt>",
        views.overview_export,
        name="overview_export",
    ),
    path("areas/<str:code>/series/", views.official_series_page, name="official_series"),
    path("cases/", views.case_list, name="cases"),
    path("cases/export.<str:fmt>", views.case_export, name="cases_export"),
]
