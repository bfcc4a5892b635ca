"""REST API URLs of media_pipeline, mounted under /api/v1/ by cms/api.py."""

from django.urls import path

from media_pipeline import api_views

urlpatterns = [
    path("videos/", api_views.VideoUploadView.as_view(), name="api-video-upload"),
    path("videos/<int:pk>/", api_views.VideoDetailView.as_view(), name="api-video-detail"),
]
