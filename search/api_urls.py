"""REST API URLs of search, mounted under /api/v1/ by cms/api.py."""

from django.urls import path

from search import api_views

urlpatterns = [
    path("search/", api_views.SearchView.as_view(), name="api-search"),
]
