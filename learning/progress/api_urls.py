"""REST API URLs of learning.progress, mounted under /api/v1/ by cms/api_views.py."""

from django.urls import path

from learning.progress import api_views

urlpatterns = [
    path(
        "lessons/<int:lesson_id>/progress/",
        api_views.LessonProgressView.as_view(),
        name="api-lesson-progress",
    ),
    path("me/records/", api_views.MyRecordsView.as_view(), name="api-me-records"),
    path(
        "classes/<int:pk>/offline-sessions/",
        api_views.OfflineSessionListView.as_view(),
        name="api-class-offline-sessions",
    ),
    path(
        "classes/<int:pk>/offline-sessions/<int:session_id>/attendees/",
        api_views.OfflineSessionAttendeesView.as_view(),
        name="api-class-offline-session-attendees",
    ),
    path(
        "classes/<int:pk>/offline-sessions/<int:session_id>/leaves/",
        api_views.OfflineLeaveListView.as_view(),
        name="api-class-offline-session-leaves",
    ),
    path(
        "classes/<int:pk>/offline-sessions/<int:session_id>/leaves/<int:leave_id>/withdraw/",
        api_views.OfflineLeaveWithdrawView.as_view(),
        name="api-class-offline-session-leave-withdraw",
    ),
]
