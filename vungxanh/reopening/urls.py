from django.urls import path

from vungxanh.reopening import views

app_name = "reopening"
urlpatterns = [
    path("changes/", views.change_list, name="changes"),
    path("changes/export/", views.changes_export, name="changes_export"),
    path("notices/", views.notices, name="notices"),
    path("notices/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("indicators/", views.indicators, name="indicators"),
    path("indicators/export/", views.indicators_export, name="indicators_export"),
]
