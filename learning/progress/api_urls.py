"""REST API URLs of learning.progress, mounted under /api/v1/ by cms/api.py."""

from django.urls import path

from learning.progress import api

urlpatterns = [
    path(
        "lessons/<int:lesson_id>/progress/",
        api.LessonProgressView.as_view(),
        name="api-lesson-progress",
    ),
    path("me/", api.MeView.as_view(), name="api-me"),
    path("me/records/", api.MyRecordsView.as_view(), name="api-me-records"),
]
