"""REST API URLs of party.meetings, mounted under /api/v1/ by cms/api.py."""

from django.urls import path

from party.meetings import api_views

urlpatterns = [
    path("meetings/", api_views.MeetingListView.as_view(), name="api-meetings"),
    path("meetings/<int:pk>/", api_views.MeetingDetailView.as_view(), name="api-meeting"),
    path(
        "meetings/<int:pk>/check-in/",
        api_views.CheckInView.as_view(),
        name="api-meeting-check-in",
    ),
    path(
        "meetings/<int:pk>/leave/", api_views.LeaveRequestView.as_view(), name="api-meeting-leave"
    ),
    path(
        "meetings/<int:pk>/attendance/bulk/",
        api_views.AttendanceBulkView.as_view(),
        name="api-meeting-attendance-bulk",
    ),
    path(
        "meetings/<int:pk>/attendance/<int:member_id>/",
        api_views.AttendanceView.as_view(),
        name="api-meeting-attendance",
    ),
    path("meetings/<int:pk>/minutes/", api_views.MinutesView.as_view(), name="api-meeting-minutes"),
    path(
        "meetings/<int:pk>/minutes/sign-off/",
        api_views.MinutesSignOffView.as_view(),
        name="api-meeting-minutes-sign-off",
    ),
    path(
        "units/<int:pk>/compliance/",
        api_views.UnitComplianceView.as_view(),
        name="api-unit-compliance",
    ),
    path(
        "units/<int:pk>/yearly-hours/",
        api_views.UnitYearlyHoursView.as_view(),
        name="api-unit-yearly-hours",
    ),
    path("units/<int:pk>/absence/", api_views.UnitAbsenceView.as_view(), name="api-unit-absence"),
    path("me/yearly-hours/", api_views.MyYearlyHoursView.as_view(), name="api-my-yearly-hours"),
]
