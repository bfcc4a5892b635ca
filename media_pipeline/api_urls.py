"""REST API URLs of media_pipeline, mounted under /api/v1/ by cms/api.py."""

urlpatterns: list = []
