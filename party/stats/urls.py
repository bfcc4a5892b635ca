"""Site (HTML) URLs of party.stats."""

from django.urls import path

from party.stats import views

app_name = "stats"

urlpatterns = [
    path("party/stats/", views.stats_dashboard, name="dashboard"),
    path("party/stats/<int:pk>/year-end.xlsx", views.year_end_xlsx, name="year-end-xlsx"),
    path("party/stats/<int:pk>/<slug:key>.xlsx", views.table_xlsx, name="table-xlsx"),
]
