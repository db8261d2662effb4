from django.urls import path

from vungxanh.lockdowns import views

app_name = "lockdowns"
urlpatterns = [
    path("", views.index, name="index"),
    path("map.geojson", views.map_geojson, name="map_geojson"),
    path("report.xlsx", views.report, name="report"),
    path("new/", views.zone_create, name="create"),
    path("<int:pk>/", views.zone_detail, name="detail"),
    path("<int:pk>/edit/", views.zone_edit, name="edit"),
    path("<int:pk>/status/", views.zone_transition, name="transition"),
    path("<int:pk>/parts/new/", views.part_create, name="part_create"),
    path("<int:pk>/cases/", views.case_link, name="case_link"),
    path("<int:pk>/rounds/", views.round_plan, name="round_plan"),
    path("<int:pk>/posts/", views.post_add, name="post_add"),
    path("<int:pk>/inspections/", views.inspection_add, name="inspection_add"),
    path("<int:pk>/households/", views.household_add, name="household_add"),
    path("<int:pk>/needs/", views.need_add, name="need_add"),
    path("rounds/<int:pk>/result/", views.round_result, name="round_result"),
    path("posts/<int:pk>/shifts/", views.shift_add, name="shift_add"),
    path("shifts/<int:pk>/assign/", views.shift_assign, name="shift_assign"),
    path("assignments/<int:pk>/check-in/", views.check_in, name="check_in"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("needs/<int:pk>/met/", views.need_met, name="need_met"),
    path("notices/<int:pk>/acknowledge/", views.notice_ack, name="notice_ack"),
]
