from django.urls import path

from vungxanh.areas import views

app_name = "areas"
urlpatterns = [
    path("", views.browser, name="browser"),
    path("<str:code>/", views.area_detail, name="detail"),
    path("<str:code>/children/", views.area_children, name="children"),
    path("<str:code>/subunits/new/", views.subunit_create, name="subunit_create"),
    path("<str:code>/boundaries/upload/", views.boundary_upload, name="boundary_upload"),
]
