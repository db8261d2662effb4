"""Pages anyone may open without signing in: the read-only level map."""

from django.urls import path

from vungxanh.risk import views

app_name = "public"
urlpatterns = [
    path("map/", views.public_map, name="map"),
]
