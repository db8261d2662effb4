from django.urls import path

from vungxanh.economy import views

app_name = "economy"
urlpatterns = [
    path("establishments/", views.establishment_list, name="list"),
    path("establishments/new/", views.establishment_create, name="create"),
    path("establishments/<int:pk>/", views.establishment_edit, name="edit"),
]
