"""REST API URLs of learning.reports, mounted under /api/v1/ by cms/api_views.py."""

from django.urls import path

from learning.reports import api_views

urlpatterns = [
    path("me/", api_views.MeView.as_view(), name="api-me"),
    path("classes/", api_views.ClassListView.as_view(), name="api-classes"),
    path("classes/<int:pk>/report/", api_views.ClassReportView.as_view(), name="api-class-report"),
    path(
        "classes/<int:pk>/report.xlsx",
        api_views.ClassReportXlsxView.as_view(),
        name="api-class-report-xlsx",
    ),
    path(
        "classes/<int:pk>/report.csv",
        api_views.ClassReportCsvView.as_view(),
        name="api-class-report-csv",
    ),
    path(
        "classes/<int:pk>/certificates/",
        api_views.ClassCertificatesView.as_view(),
        name="api-class-certificates",
    ),
    path(
        "classes/<int:pk>/trainees/<int:trainee_id>/disqualify/",
        api_views.DisqualifyView.as_view(),
        name="api-trainee-disqualify",
    ),
    path(
        "classes/<int:pk>/trainees/<int:trainee_id>/reinstate/",
        api_views.ReinstateView.as_view(),
        name="api-trainee-reinstate",
    ),
    path(
        "certificates/<str:number>/revoke/",
        api_views.CertificateRevokeView.as_view(),
        name="api-certificate-revoke",
    ),
]
