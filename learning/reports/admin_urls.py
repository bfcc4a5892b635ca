"""Wagtail admin URLs of learning.reports (mounted at /admin/reports/ by wagtail_hooks)."""

from django.urls import path

from learning.reports import admin_views as views

app_name = "reports_admin"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("search/", views.search_view, name="search"),
    path("classes/<int:pk>/", views.class_report_view, name="class"),
    path(
        "classes/<int:pk>/certificates/issue-all/",
        views.certificate_issue_all_view,
        name="issue_all",
    ),
    path(
        "classes/<int:pk>/trainees/<int:trainee_id>/",
        views.trainee_record_view,
        name="record",
    ),
    path(
        "classes/<int:pk>/trainees/<int:trainee_id>/record.pdf",
        views.trainee_record_pdf_view,
        name="record_pdf",
    ),
    path(
        "classes/<int:pk>/trainees/<int:trainee_id>/certificate/",
        views.certificate_issue_view,
        name="issue",
    ),
    path(
        "classes/<int:pk>/trainees/<int:trainee_id>/disqualify/",
        views.disqualify_view,
        name="disqualify",
    ),
    path(
        "classes/<int:pk>/trainees/<int:trainee_id>/reinstate/",
        views.reinstate_view,
        name="reinstate",
    ),
    path("certificates/<str:number>/revoke/", views.certificate_revoke_view, name="revoke"),
    path("certificates/<str:number>.pdf", views.certificate_pdf_view, name="certificate_pdf"),
]
