"""REST API URLs of learning.progress, mounted under /api/v1/ by cms/api.py."""

urlpatterns: list = []
