"""REST API URLs of learning.reports, mounted under /api/v1/ by cms/api.py."""

urlpatterns: list = []
