"""REST API URLs of party.stats, mounted under /api/v1/ by cms/api.py."""

from django.urls import path

from party.stats import api_views as v

urlpatterns = [
    path("units/<int:pk>/stats/", v.UnitStatsView.as_view(), name="api-unit-stats"),
    path("units/<int:pk>/stats.xlsx", v.YearEndWorkbookView.as_view(), name="api-unit-stats-xlsx"),
]
