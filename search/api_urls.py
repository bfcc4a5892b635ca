"""REST API URLs of search, mounted under /api/v1/ by cms/api.py."""

urlpatterns: list = []
