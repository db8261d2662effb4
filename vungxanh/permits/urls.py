from django.urls import path

from vungxanh.permits import views

app_name = "permits"
urlpatterns = [
    path("", views.application_list, name="list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/docx/", views.plan_docx, name="plan_docx"),
    path("applications/new/", views.application_create, name="application_create"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/permit.docx", views.permit_docx, name="permit_docx"),
]
