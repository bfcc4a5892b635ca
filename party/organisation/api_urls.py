"""REST API URLs of party.organisation, mounted under /api/v1/ by cms/api.py."""

from django.urls import path

from party.organisation import api_views

urlpatterns = [
    path("org/units/", api_views.UnitListView.as_view(), name="api-org-units"),
]
