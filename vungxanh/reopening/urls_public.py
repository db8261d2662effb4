"""Pages anyone may open without signing in, under /public/ (beside risk.urls_public)."""

from django.urls import path

from vungxanh.reopening import views

app_name = "reopening_public"
urlpatterns = [
    path("lookup/", views.public_lookup, name="lookup"),
]
