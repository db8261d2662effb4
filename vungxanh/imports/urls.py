from django.urls import path

from vungxanh.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.batch_list, name="list"),
    path("new/", views.upload, name="new"),
    path("confirm/", views.confirm, name="confirm"),
    path("jobs/<str:job_id>/", views.job_page, name="job"),
    path("jobs/<str:job_id>/progress/", views.job_progress, name="job_progress"),
    # A batch is named by its history (the app that keeps it) and its id there.
    path("<slug:history>/<int:batch_id>/", views.batch_detail, name="batch"),
    path("<slug:history>/<int:batch_id>/undo/", views.batch_undo, name="batch_undo"),
    # The addresses of surveillance batches before there were several histories.
    path("<int:batch_id>/", views.legacy_detail, name="detail"),
    path("<int:batch_id>/undo/", views.legacy_undo, name="undo"),
    path("template/<str:kind>.xlsx", views.download_xlsx, name="template_xlsx"),
    path("template/<str:kind>.csv", views.download_csv, name="template_csv"),
]
