"""Site (HTML) URLs of party.meetings."""

from django.urls import path

from party.meetings import views

app_name = "meetings"

urlpatterns = [
    path("party/meetings/", views.meeting_list, name="list"),
    path("party/meetings/new/", views.meeting_plan, name="plan"),
    path("party/meetings/<int:pk>/", views.meeting_detail, name="detail"),
    path("party/meetings/<int:pk>/qr/", views.meeting_qr, name="qr"),
    path("party/meetings/<int:pk>/check-in/", views.meeting_check_in, name="check-in"),
    path("party/meetings/<int:pk>/leave/", views.meeting_leave, name="leave"),
    path("party/meetings/<int:pk>/attendance/", views.meeting_attendance, name="attendance"),
    path(
        "party/meetings/<int:pk>/attendance/bulk/",
        views.meeting_attendance_bulk,
        name="attendance-bulk",
    ),
    path("party/meetings/<int:pk>/minutes/", views.meeting_minutes, name="minutes"),
    path("party/notices/", views.notice_list, name="notices"),
    path("party/compliance/", views.compliance_overview, name="compliance"),
    path("party/units/<int:pk>/compliance/", views.unit_compliance, name="unit-compliance"),
    path("party/units/<int:pk>/yearly-hours/", views.unit_yearly_hours, name="unit-yearly-hours"),
    path("party/units/<int:pk>/absence/", views.unit_absence, name="unit-absence"),
    path(
        "party/units/<int:pk>/yearly-hours.xlsx",
        views.unit_yearly_hours_xlsx,
        name="unit-yearly-hours-xlsx",
    ),
]
