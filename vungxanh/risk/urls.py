from django.urls import path

from vungxanh.risk import views

app_name = "risk"
urlpatterns = [
    path("map/", views.map_page, name="map"),
    path("map/levels.json", views.map_levels, name="map_levels"),
    path("map/table/", views.map_table, name="map_table"),
    path("map/export.geojson", views.map_geojson, name="map_geojson"),
    path("map/export.xlsx", views.map_xlsx, name="map_xlsx"),
    path("areas/<str:code>/", views.area_page, name="area"),
    path("areas/<str:code>/explain/", views.explain, name="explain"),
    path("areas/<str:code>/publish/", views.publish, name="publish"),
    path("assessments/<int:pk>/decide/", views.decide, name="decide"),
]
