"""REST API URLs of learning.classes, mounted under /api/v1/ by cms/api.py."""

from django.urls import path

from learning.classes import api

urlpatterns = [
    path(
        "classes/<int:pk>/offline-sessions/",
        api.OfflineSessionListView.as_view(),
        name="api-class-offline-sessions",
    ),
    path(
        "classes/<int:pk>/offline-sessions/<int:session_id>/attendees/",
        api.OfflineSessionAttendeesView.as_view(),
        name="api-class-offline-session-attendees",
    ),
]
