"""REST API URLs of learning.classes, mounted under /api/v1/ by cms/api.py."""

urlpatterns: list = []
