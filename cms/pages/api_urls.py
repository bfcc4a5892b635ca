"""REST API URLs of cms.pages, mounted under /api/v1/ by cms/api.py."""

urlpatterns: list = []
